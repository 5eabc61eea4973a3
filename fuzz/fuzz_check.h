// FUZZ_CHECK: an invariant a fuzz target asserts. A failure prints what broke
// and aborts, which libFuzzer reports as a crash and saves the input for.
#ifndef VMBALANCE_FUZZ_FUZZ_CHECK_H_
#define VMBALANCE_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
                   __LINE__, #cond);                                  \
      std::abort();                                                   \
    }                                                                 \
  } while (0)

#endif  // VMBALANCE_FUZZ_FUZZ_CHECK_H_
