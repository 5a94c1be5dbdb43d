// lotchain: the wallet and auditor CLI. All logic is in the lotchain_wallet library (cli.h).
#include "wallet-cli/cli.h"

int main(int argc, char** argv) { return lotchain::wallet::RunCli(argc, argv); }
