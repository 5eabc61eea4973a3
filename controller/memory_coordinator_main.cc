// memory_coordinator: resizes guests through the balloon so nobody starves.
#include "controller/controller_main.h"

int main(int argc, char** argv) {
  return vmbalance::RunControllerMain(
      argc, argv,
      {"memory_coordinator", ":9179", /*cpu=*/false, /*memory=*/true,
       __FILE__});
}
