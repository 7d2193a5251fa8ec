/* A stand-in bcryptprimitives.dll for running the x86_64-pc-windows-gnu cmgelog.exe under
 * Wine 8.0, which lacks this DLL: Rust's std takes its random seeds from ProcessPrng (Windows
 * 10 and later). Used only by scripts/test-windows.sh, never shipped. RtlGenRandom
 * (SystemFunction036 in advapi32) fills the buffer instead. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
