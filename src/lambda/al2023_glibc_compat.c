/* Linked into the Lambda `bootstrap` only (scripts/package-lambda), never into the native builds.
 *
 * Amazon Linux 2023 has glibc 2.34. Debian 12's GCC 12 runtime, linked statically, was built against
 * glibc 2.36 and calls two newer functions: arc4random (GLIBC_2.36; std::random_device) and _dl_find_object
 * (GLIBC_2.35; the exception unwinder looks up the unwind tables of a code address with it). Defining both
 * here binds those calls to these definitions instead of versioned glibc symbols. Same contracts: arc4random
 * returns 32 bits from the kernel's CSPRNG; _dl_find_object finds the loaded object that contains an address
 * and its PT_GNU_EH_FRAME segment, as the unwinder did before glibc 2.35, with dl_iterate_phdr. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

uint32_t arc4random(void) {
  uint32_t value;
  unsigned char* bytes = (unsigned char*)&value;
  size_t filled = 0;
  while (filled < sizeof value) {
    ssize_t got = getrandom(bytes + filled, sizeof value - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      abort(); /* no randomness is worse than no process */
    }
    filled += (size_t)got;
  }
  return value;
}

struct object_search {
  uintptr_t address;
  struct dl_find_object* result;
  int found;
};

static int visit_object(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  struct object_search* search = data;
  uintptr_t low = UINTPTR_MAX, high = 0;
  const ElfW(Phdr)* eh_frame = NULL;
  int contains = 0;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)* segment = &info->dlpi_phdr[i];
    if (segment->p_type == PT_LOAD) {
      uintptr_t start = info->dlpi_addr + segment->p_vaddr;
      uintptr_t end = start + segment->p_memsz;
      if (start < low) low = start;
      if (end > high) high = end;
      if (search->address >= start && search->address < end) contains = 1;
    } else if (segment->p_type == PT_GNU_EH_FRAME) {
      eh_frame = segment;
    }
  }
  if (!contains) return 0;
  memset(search->result, 0, sizeof *search->result);
  search->result->dlfo_map_start = (void*)low;
  search->result->dlfo_map_end = (void*)high;
  search->result->dlfo_eh_frame = eh_frame ? (void*)(info->dlpi_addr + eh_frame->p_vaddr) : NULL;
  search->found = 1;
  return 1;
}

int _dl_find_object(void* address, struct dl_find_object* result) {
  struct object_search search = {(uintptr_t)address, result, 0};
  dl_iterate_phdr(visit_object, &search);
  return search.found ? 0 : -1;
}
