// Process controls Swift cannot call directly (prctl(2) is variadic). Linux only; elsewhere
// the call does nothing.
#ifndef DENDROMETER_CPROCESS_SHIM_H
#define DENDROMETER_CPROCESS_SHIM_H
#if defined(__linux__)
#include <signal.h>
#include <sys/prctl.h>
/// Asks the kernel to send SIGKILL to this process when its parent dies (a batch worker must
/// not outlive a batch that was killed). Returns 0 on success.
static inline int dm_die_with_parent(void) { return prctl(PR_SET_PDEATHSIG, SIGKILL); }
#else
static inline int dm_die_with_parent(void) { return 0; }
#endif
#endif
