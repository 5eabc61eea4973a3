// vmbalanced: both controllers in one process, one libvirt connection and one
// metrics endpoint: the recommended deployment.
#include "controller/controller_main.h"

int main(int argc, char** argv) {
  return vmbalance::RunControllerMain(
      argc, argv,
      {"vmbalanced", ":9180", /*cpu=*/true, /*memory=*/true,
       /*policy_flags_choose=*/true});
}
