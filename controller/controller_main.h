// RunControllerMain: the shared main() of vcpu_scheduler, memory_coordinator
// and vmbalanced. Parses the positional interval and flags, connects to
// libvirt (or loads a simulator scenario with --simulate), serves /metrics,
// and runs the Controller once per interval until SIGINT/SIGTERM (or for
// --ticks intervals in simulation). Returns the process exit code.
#ifndef VMBALANCE_CONTROLLER_CONTROLLER_MAIN_H_
#define VMBALANCE_CONTROLLER_CONTROLLER_MAIN_H_

namespace vmbalance {

struct BinaryTraits {
  const char* name;  // for usage and logs
  const char*
      default_listen;  // distinct per binary, so all can run side by side
  bool cpu;            // policies this binary runs (vmbalanced: by default)
  bool memory;
  // The binary's main file (__FILE__): --helpshort lists the flags defined
  // there along with the shared ones and those of the policies it runs.
  const char* main_file;
  // vmbalanced only: its --cpu/--memory flags (defined in its main file, so
  // no other binary accepts or lists them), read after parsing. Null: the
  // binary always runs `cpu`/`memory` as given.
  const bool* cpu_flag = nullptr;
  const bool* memory_flag = nullptr;
};

int RunControllerMain(int argc, char** argv, const BinaryTraits& traits);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CONTROLLER_MAIN_H_
