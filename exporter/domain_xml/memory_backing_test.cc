#include "exporter/domain_xml/memory_backing.h"

#include <gtest/gtest.h>

#include <string>

namespace vmbalance {
namespace {

struct Read {
  std::optional<MemoryBacking> backing;
  std::vector<std::string> problems;
};

Read ReadFrom(const std::string& text) {
  Read r;
  StatusOr<xml::XmlDoc> doc = xml::XmlDoc::Parse(text);
  EXPECT_TRUE(doc.ok());
  if (doc.ok()) r.backing = ReadMemoryBacking(doc->root(), &r.problems);
  return r;
}

TEST(MemoryBackingTest, NothingSaidIsPlainAnonymousMemory) {
  Read r = ReadFrom("<domain><memory unit='MiB'>512</memory></domain>");
  EXPECT_FALSE(r.backing.has_value());
  EXPECT_TRUE(r.problems.empty());
}

TEST(MemoryBackingTest, HugepagesWithTheirSize) {
  Read r = ReadFrom(R"(<domain><memoryBacking><hugepages>
      <page size='1' unit='G' nodeset='0'/><page size='2048'/>
    </hugepages><locked/><nosharepages/></memoryBacking></domain>)");
  ASSERT_TRUE(r.backing.has_value());
  EXPECT_TRUE(r.backing->hugepages);
  EXPECT_EQ(r.backing->hugepage_kib, 1024u * 1024);
  EXPECT_TRUE(r.backing->locked);
  EXPECT_TRUE(r.backing->nosharepages);
  EXPECT_FALSE(r.backing->FileBacked());
  EXPECT_TRUE(r.problems.empty());
}

TEST(MemoryBackingTest, HugepagesOfTheDefaultSize) {
  Read r =
      ReadFrom("<domain><memoryBacking><hugepages/></memoryBacking></domain>");
  ASSERT_TRUE(r.backing.has_value());
  EXPECT_TRUE(r.backing->hugepages);
  EXPECT_EQ(r.backing->hugepage_kib, 0u);
  EXPECT_FALSE(r.backing->locked);
}

TEST(MemoryBackingTest, AnUnreadablePageSizeStillMeansHugepages) {
  Read r = ReadFrom(R"(<domain><memoryBacking><hugepages>
      <page size='two' unit='M'/></hugepages></memoryBacking></domain>)");
  ASSERT_TRUE(r.backing.has_value());
  EXPECT_TRUE(r.backing->hugepages);
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST(MemoryBackingTest, SharedFileAndMemfd) {
  Read file = ReadFrom(R"(<domain><memoryBacking><source type='file'/>
      <access mode='shared'/><allocation mode='immediate'/><discard/>
    </memoryBacking></domain>)");
  ASSERT_TRUE(file.backing.has_value());
  EXPECT_EQ(file.backing->source, "file");
  EXPECT_TRUE(file.backing->shared);
  EXPECT_TRUE(file.backing->preallocated);
  EXPECT_TRUE(file.backing->discard);
  EXPECT_TRUE(file.backing->FileBacked());

  Read memfd = ReadFrom(R"(<domain><memoryBacking><source type='memfd'/>
      <access mode='shared'/></memoryBacking></domain>)");
  ASSERT_TRUE(memfd.backing.has_value());
  EXPECT_EQ(memfd.backing->source, "memfd");
  EXPECT_TRUE(memfd.backing->shared);
  EXPECT_FALSE(memfd.backing->FileBacked());  // shmem, not page cache
}

TEST(MemoryBackingTest, ASharedNumaCellMakesSharedFileMemory) {
  Read r = ReadFrom(R"(<domain><cpu><numa>
      <cell id='0' cpus='0-1' memory='1' unit='GiB' memAccess='shared'/>
    </numa></cpu></domain>)");
  ASSERT_TRUE(r.backing.has_value());
  EXPECT_TRUE(r.backing->shared);
  EXPECT_EQ(r.backing->source, "anonymous");
  EXPECT_TRUE(r.backing->FileBacked());  // libvirt's memory_backing_dir
}

TEST(MemoryBackingTest, AnUnknownSourceCountsAsAFile) {
  Read r = ReadFrom(
      "<domain><memoryBacking><source type='pmem'/></memoryBacking>"
      "</domain>");
  ASSERT_TRUE(r.backing.has_value());
  EXPECT_EQ(r.backing->source, "file");
  EXPECT_EQ(r.problems.size(), 1u);
}

TEST(MemoryBackingTest, Sizes) {
  EXPECT_EQ(LibvirtSizeKib("2048", "KiB"), 2048u);
  EXPECT_EQ(LibvirtSizeKib("2", "M"), 2048u);
  EXPECT_EQ(LibvirtSizeKib("1", "GiB"), 1024u * 1024);
  EXPECT_EQ(LibvirtSizeKib("2048000", "KB"), 2000000u);
  EXPECT_EQ(LibvirtSizeKib("2097152", "b"), 2048u);
  EXPECT_EQ(LibvirtSizeKib("1000", "bytes"), std::nullopt);  // not whole KiB
  EXPECT_EQ(LibvirtSizeKib("1", "parsecs"), std::nullopt);
  EXPECT_EQ(LibvirtSizeKib("0", "KiB"), std::nullopt);
  EXPECT_EQ(LibvirtSizeKib("99999999999999999", "TiB"), std::nullopt);
}

}  // namespace
}  // namespace vmbalance
