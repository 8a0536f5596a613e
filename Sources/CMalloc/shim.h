// glibc's allocator controls (mallopt(3)); used by DendrometerCore's
// ProcessMemory to keep freed image buffers for reuse. Empty elsewhere.
#if defined(__GLIBC__) || __has_include(<malloc.h>)
#include <malloc.h>
#endif
