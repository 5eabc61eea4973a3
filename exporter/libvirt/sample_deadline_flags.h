// The sampling deadline flags shared by every binary that samples libvirt
// (libvirt_exporter, vmbalanced): how long one Take() may wait for calls that
// go through a guest's QEMU monitor before it gives up on that guest for the
// tick. Two flags, because the right deadline scales with the interval (the
// loop must keep its rhythm) but must not shrink below what a healthy but
// busy host needs to answer (TCG guests answer balloon queries in tens to
// hundreds of milliseconds when the host is loaded).
#ifndef VMBALANCE_EXPORTER_LIBVIRT_SAMPLE_DEADLINE_FLAGS_H_
#define VMBALANCE_EXPORTER_LIBVIRT_SAMPLE_DEADLINE_FLAGS_H_

#include <chrono>

#include "exporter/core/status.h"
#include "gflags/gflags.h"

// Fraction of the interval a sample may wait for guests' QEMU monitors
// (default 0.5: the other half is left for deciding and acting).
DECLARE_double(sample_deadline_fraction);
// Floor of that deadline in milliseconds (default 500).
DECLARE_int32(sample_deadline_min_ms);

namespace vmbalance {

// max(fraction * interval, floor), from the flags. With a short interval the
// floor may exceed the interval: a hung guest then stretches that tick to the
// floor, never longer. An error for a fraction outside (0, 1] or a negative
// floor.
StatusOr<std::chrono::milliseconds> SampleDeadlineFromFlags(double interval_s);

// The file that defines the two flags, for --helpshort.
const char* SampleDeadlineFlagsFile();

// The same rule with explicit values (what the flags feed).
StatusOr<std::chrono::milliseconds> SampleDeadline(double interval_s,
                                                   double fraction, int min_ms);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_SAMPLE_DEADLINE_FLAGS_H_
