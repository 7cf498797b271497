using System.Runtime;
using System.Runtime.InteropServices;

namespace Cetus.Commands;

/// <summary>
/// Gives the memory of a process's start back to the system once it is up. Starting the control plane allocates
/// tens of megabytes that die at once (certificates, the bootstrap policy, informers' first lists); left alone, the GC
/// keeps that heap committed until enough later work triggers a full collection, which on an idle node may be never,
/// and the C allocator (TLS handshakes, SQLite) keeps the pages it freed. One compacting, decommitting collection and
/// one trim of the C heap after the start bring the idle process down to what it actually holds. The same goes for
/// the binary's own pages: the start reads code and metadata of most of its assemblies once (about 58 of the 95 MB of
/// the binary `cetus up` has resident at Ready), and they stay mapped until the kernel runs short of memory.
/// </summary>
internal static class StartupMemory
{
    // madvise(2) advice: reclaim these pages now (Linux 5.4+).
    private const int MadvPageOut = 21;

    /// <summary>
    /// Collects everything, compacting the large-object heap too, decommits what is free, trims the C heap and pages
    /// out the binary's pages. Returns the resident set size before and after, in bytes (0 when unknown).
    /// </summary>
    public static (long Before, long After) Release()
    {
        var before = ResidentBytes();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        TrimNativeHeap();
        PageOutBinary();
        return (before, ResidentBytes());
    }

    /// <summary>
    /// The address ranges of <paramref name="path"/>'s mappings in a /proc/PID/maps listing
    /// ("start-end perms offset dev inode path").
    /// </summary>
    private static IEnumerable<(nint Start, nuint Length)> MappingsOf(IEnumerable<string> maps, string path)
    {
        foreach (var line in maps)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5].Trim() != path)
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = long.Parse(range[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            var end = long.Parse(range[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            yield return ((nint)start, (nuint)(end - start));
        }
    }

    // Asks the kernel to reclaim the pages of this process's mappings of its own executable (the single file: native
    // runtime, ReadyToRun code, metadata). It reclaims only clean pages no other process maps; a page needed again is
    // read back on first touch, so the process keeps only what it uses while idle (the RSS of an idle `cetus up`
    // settles ~35 MB lower). Pages the runtime wrote (relocated data) are anonymous and not discarded. Kernels
    // before 5.4 refuse the advice: nothing happens then.
    private static void PageOutBinary()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessPath is not { } executable || Path.GetFileName(executable) == "dotnet")
        {
            return;
        }

        try
        {
            foreach (var (start, length) in MappingsOf(File.ReadLines("/proc/self/maps"), executable).ToList())
            {
                _ = Madvise(start, length, MadvPageOut);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EntryPointNotFoundException or DllNotFoundException)
        {
        }
    }

    private static long ResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
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

    [DllImport("libc.so.6", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
#pragma warning restore CA5392
}
