// vmbalanced: both controllers in one process, one libvirt connection and one
// metrics endpoint: the recommended deployment.
#include <gflags/gflags.h>

#include "controller/controller_main.h"

// Here rather than in controller_main.cc: only vmbalanced chooses policies.
DEFINE_bool(cpu, true, "Run the vCPU scheduler.");
DEFINE_bool(memory, true, "Run the memory coordinator.");

int main(int argc, char** argv) {
  return vmbalance::RunControllerMain(
      argc, argv,
      {"vmbalanced", ":9180", /*cpu=*/true, /*memory=*/true, __FILE__,
       &FLAGS_cpu, &FLAGS_memory});
}
