// NodeMetrics (library lotchain_metrics); the class lives in node/metrics/node_metrics.h.
#pragma once

#include "node/metrics/node_metrics.h"
