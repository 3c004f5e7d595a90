// The public header compiles as C++ and the library links from C++.
#include <profrender.h>

#include <cstdio>
#include <cstring>
#include <string>

static int append(void *ctx, const void *data, size_t size) {
  static_cast<std::string *>(ctx)->append(static_cast<const char *>(data), size);
  return 0;
}

int main() {
  prf_profile *p = prf_profile_new();
  const char text[] = "main;work 3\nmain;idle 1\n";
  prf_error err;
  if (!p || prf_profile_read_buffer(p, text, std::strlen(text), nullptr, &err) != PRF_OK)
    return 1;
  std::string folded;
  if (prf_profile_write(p, "folded", append, &folded, &err) != PRF_OK)
    return 1;
  prf_profile_free(p);
  std::printf("%s %s", prf_version(), folded.c_str());
  return folded == "main;idle 1\nmain;work 3\n" ? 0 : 1;
}
