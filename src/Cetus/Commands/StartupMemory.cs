using System.Runtime;
using System.Runtime.InteropServices;

namespace Cetus.Commands;

/// <summary>
/// Gives the memory of a process's start back to the system once it is up. Starting the control plane allocates
/// tens of megabytes that die at once (certificates, the bootstrap policy, informers' first lists); left alone, the GC
/// keeps that heap committed until enough later work triggers a full collection, which on an idle node may be never,
/// and the C allocator (TLS handshakes, SQLite) keeps the pages it freed. One compacting, decommitting collection and
/// one trim of the C heap after the start bring the idle process down to what it actually holds.
/// </summary>
internal static class StartupMemory
{
    /// <summary>Collects everything, compacting the large-object heap too, decommits what is free, and trims the C heap.</summary>
    public static void Release()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
    }

    // glibc's malloc_trim(0) returns the free pages of every arena to the system (3 MB measured after `cetus up`).
    // Other C libraries (musl) lack it; nothing is lost then.
    private static void TrimNativeHeap()
    {
        try
        {
            _ = MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
    }

#pragma warning disable CA5392 // libc.so.6 is the system library, found by the loader
    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
#pragma warning restore CA5392
}
