#include "consensus/core/genesis.h"
