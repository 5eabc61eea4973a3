// vcpu_scheduler: pins vCPUs so every pCPU carries a similar load.
#include "controller/controller_main.h"

int main(int argc, char** argv) {
  return vmbalance::RunControllerMain(
      argc, argv,
      {"vcpu_scheduler", ":9178", /*cpu=*/true, /*memory=*/false, __FILE__});
}
