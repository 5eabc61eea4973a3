// Test helper: one plain HTTP/1.1 request over loopback, and its response.
#ifndef VMBALANCE_EXPORTER_HTTP_HTTP_TEST_CLIENT_H_
#define VMBALANCE_EXPORTER_HTTP_HTTP_TEST_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <string>

namespace vmbalance {

struct Response {
  int code = 0;
  std::map<std::string, std::string> headers;  // names lowercase
  std::string body;
};

// One HTTP/1.1 request over loopback; reads until the server closes.
inline Response Fetch(int port, const std::string& method,
                      const std::string& path,
                      const std::string& extra_headers = "") {
  Response response;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return response;
  }
  const std::string request = method + " " + path +
                              " HTTP/1.1\r\nHost: localhost\r\n" +
                              extra_headers + "\r\n";
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) raw.append(buffer, n);
  close(fd);
  const size_t end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) {
    return response;
  }
  response.code = std::stoi(raw.substr(9, 3));
  size_t line = raw.find("\r\n") + 2;
  while (line < end) {
    const size_t next = raw.find("\r\n", line);
    const std::string header = raw.substr(line, next - line);
    std::string name = header.substr(0, header.find(':'));
    for (char& c : name) c = std::tolower(static_cast<unsigned char>(c));
    response.headers[name] = header.substr(header.find(':') + 2);
    line = next + 2;
  }
  response.body = raw.substr(end + 4);
  return response;
}

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_HTTP_TEST_CLIENT_H_
