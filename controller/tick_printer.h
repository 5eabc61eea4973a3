// FormatTick: the compact per-interval report the controllers print: pCPU
// demand with mean, std-dev and balance, the pins made, and a memory table of
// each guest's actual/unused/available/target with host total/free and the
// resizes made. Pure: turns a TickReport into text.
#ifndef VMBALANCE_CONTROLLER_TICK_PRINTER_H_
#define VMBALANCE_CONTROLLER_TICK_PRINTER_H_

#include <cstdint>
#include <string>

#include "controller/controller.h"

namespace vmbalance {

std::string FormatTick(int64_t tick, const TickReport& report,
                       const ControllerOptions& options);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_TICK_PRINTER_H_
