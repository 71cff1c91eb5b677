/*
 * A stand-in for Windows' bcryptprimitives.dll, for running mfa.exe under wine in
 * tools/dist.sh only; it is never shipped.
 *
 * Rust's standard library gets its random numbers (the seed of every HashMap) from
 * ProcessPrng in bcryptprimitives.dll, which Windows 10 and later have and Debian's
 * wine 8.0 lacks: without it mfa.exe cannot start there. This gives the one function,
 * over RtlGenRandom (advapi32's SystemFunction036), which wine has. Built with
 * `zig cc -target x86_64-windows-gnu -shared` and put beside mfa.exe in the check's
 * own copy.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  while (length > 0) {
    ULONG chunk = length > 0x7fffffff ? 0x7fffffff : (ULONG)length;
    if (!SystemFunction036(data, chunk)) {
      return FALSE;
    }
    data += chunk;
    length -= chunk;
  }
  return TRUE;
}
