// TLS for the metrics server: applies a TlsServerConfig to an OpenSSL
// SSL_CTX (the one civetweb creates and hands to its init_ssl callback), and
// checks a config by applying it to a throwaway context.
#ifndef VMBALANCE_EXPORTER_HTTP_TLS_CONTEXT_H_
#define VMBALANCE_EXPORTER_HTTP_TLS_CONTEXT_H_

#include "exporter/core/status.h"
#include "exporter/http/web_config.h"

namespace vmbalance {

// Certificate chain and key (must match), protocol versions, TLS <= 1.2
// cipher list (TLS 1.3 keeps OpenSSL's AEAD suites), client-certificate
// policy and CA, no renegotiation. `ssl_ctx` is an SSL_CTX*.
Status ConfigureTls(void* ssl_ctx, const TlsServerConfig& tls);

// Whether ConfigureTls would succeed: files readable, key matches cert,
// ciphers known to this OpenSSL.
Status CheckTlsServerConfig(const TlsServerConfig& tls);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_TLS_CONTEXT_H_
