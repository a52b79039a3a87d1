// Tokenizer base, the byte-level tokenizer, the factory, and tokenize_file.
#include "harness/tokenizer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ablate {

Tokenizer::~Tokenizer() = default;
std::optional<int32_t> Tokenizer::bos_id() const { return std::nullopt; }
std::optional<int32_t> Tokenizer::eos_id() const { return std::nullopt; }

std::vector<int32_t> ByteTokenizer::encode(const std::string& text) const {
  std::vector<int32_t> ids(text.size());
  for (size_t i = 0; i < text.size(); ++i) ids[i] = static_cast<unsigned char>(text[i]);
  return ids;
}

std::string ByteTokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string text(ids.size(), '\0');
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] > 255)
      throw DataError("byte tokenizer: id " + std::to_string(i) + " = " + std::to_string(ids[i]) +
                      " is outside the vocabulary [0, 255]");
    text[i] = static_cast<char>(static_cast<unsigned char>(ids[i]));
  }
  return text;
}

std::unique_ptr<Tokenizer> make_tokenizer(const std::string& type) {
  if (type == "byte") return std::make_unique<ByteTokenizer>();
  throw DataError("unknown tokenizer type '" + type + "' (known: byte)");
}

std::vector<int32_t> tokenize_file(const std::string& path, const Tokenizer& tokenizer) {
  auto fail = [&](const std::string& what) { return DataError(path + ": " + what); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw fail(std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    throw fail(std::string("cannot read: ") + std::strerror(err));
  }
  std::string text;
  if (S_ISREG(st.st_mode) && st.st_size > 0) text.reserve(static_cast<size_t>(st.st_size));
  char chunk[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw fail(std::string("cannot read: ") + std::strerror(err));
    }
    text.append(chunk, static_cast<size_t>(got));
  }
  ::close(fd);
  if (text.empty()) throw fail("empty corpus (0 bytes)");
  std::vector<int32_t> ids = tokenizer.encode(text);
  if (ids.empty())
    throw fail("empty corpus: " + std::to_string(text.size()) + " bytes encode to 0 tokens with the " +
               tokenizer.name() + " tokenizer");
  return ids;
}

}  // namespace ablate
