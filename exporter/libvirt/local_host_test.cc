#include "exporter/libvirt/local_host.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

TEST(LocalHostTest, NoHostPartIsThisMachine) {
  EXPECT_TRUE(IsLocalHostUri("qemu:///system"));
  EXPECT_TRUE(IsLocalHostUri("qemu:///session"));
  EXPECT_TRUE(IsLocalHostUri("qemu+unix:///system"));
  EXPECT_TRUE(IsLocalHostUri("qemu+unix:///system?socket=/run/x.sock"));
  EXPECT_TRUE(IsLocalHostUri("lxc:///"));
}

TEST(LocalHostTest, LoopbackHostIsThisMachine) {
  EXPECT_TRUE(IsLocalHostUri("qemu+ssh://root@localhost/system"));
  EXPECT_TRUE(IsLocalHostUri("qemu+tcp://127.0.0.1:16509/system"));
  EXPECT_TRUE(IsLocalHostUri("qemu+tcp://[::1]:16509/system"));
}

TEST(LocalHostTest, TheTestDriverIsNeverARealHost) {
  EXPECT_FALSE(IsLocalHostUri("test:///default"));
  EXPECT_FALSE(IsLocalHostUri("test+unix:///default"));
}

TEST(LocalHostTest, AnyOtherHostIsRemote) {
  EXPECT_FALSE(IsLocalHostUri("qemu+ssh://kvm1.example/system"));
  EXPECT_FALSE(IsLocalHostUri("qemu+tcp://10.0.0.7:16509/system"));
  EXPECT_FALSE(IsLocalHostUri("qemu+tls://[fe80::1]/system"));
  EXPECT_FALSE(IsLocalHostUri("esx://vcenter/?no_verify=1"));
  // A user named localhost does not make the host local.
  EXPECT_FALSE(IsLocalHostUri("qemu+ssh://localhost@kvm1/system"));
  // A host whose name merely starts like loopback is remote.
  EXPECT_FALSE(IsLocalHostUri("qemu+ssh://localhost.evil.example/system"));
  EXPECT_FALSE(IsLocalHostUri("qemu+ssh://127.evil.example/system"));
}

TEST(LocalHostTest, UnparsableUrisAreRemote) {
  EXPECT_FALSE(IsLocalHostUri(""));
  EXPECT_FALSE(IsLocalHostUri("qemu"));
  EXPECT_FALSE(IsLocalHostUri(":///system"));
  EXPECT_FALSE(IsLocalHostUri("qemu+ssh://[::1/system"));
}

}  // namespace
}  // namespace vmbalance
