// Makes Debian 12's civetweb (1.15) usable with OpenSSL 3. That civetweb
// loads OpenSSL at run time with dlopen/dlsym under OpenSSL 1.1's names; one
// of them, SSL_get_peer_certificate, is only a macro in OpenSSL 3 (for
// SSL_get1_peer_certificate, same semantics: a reference the caller frees).
// The lookup yields a null pointer, and every HTTPS connection then crashes
// the process (a call through it after the handshake). civetweb's issue
// #1334 reports the same for 1.16.
//
// This file gives the process a dlsym that answers that one name with
// OpenSSL 3's function and hands every other lookup to the C library's.
// Being defined in the executable, it comes first in the global symbol
// search, so civetweb's call reaches it. Limitation: a dlsym(RTLD_NEXT, ...)
// made by another library now searches from the executable; nothing linked
// into the vmbalance binaries does that.
#include <dlfcn.h>
#include <openssl/ssl.h>

#include <cstring>

namespace {

using DlsymFn = void* (*)(void*, const char*);

DlsymFn SystemDlsym() {
  static const DlsymFn fn = [] {
    void* f = dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
    if (f == nullptr) f = dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.2.5");
    return reinterpret_cast<DlsymFn>(f);
  }();
  return fn;
}

}  // namespace

extern "C" void* dlsym(void* __restrict handle,
                       const char* __restrict name) noexcept {
  if (std::strcmp(name, "SSL_get_peer_certificate") == 0) {
    return reinterpret_cast<void*>(&SSL_get1_peer_certificate);
  }
  return SystemDlsym()(handle, name);
}
