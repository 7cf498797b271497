using System.Collections;
using System.Runtime.InteropServices;

namespace Cetus.Commands;

/// <summary>
/// Runtime settings for the commands that run for good (<c>up</c>, <c>server</c>, <c>agent</c>,
/// <c>controller-manager</c>, <c>scheduler</c>), which the runtime and the C library read only from the environment.
/// </summary>
/// <remarks>
/// <para>
/// <c>DOTNET_GCgen0size=0x300000</c>: the .NET GC sizes its young generation from the processor's L3 cache. On a
/// 32 MB-L3 machine an idle <c>cetus up</c>, allocating ~160 KB/s (leases, status, CRI relists), grows by 14 MB
/// before its first collection and stays there. A 3 MB floor keeps it at what it holds; under load the GC still
/// raises the budget as survival grows.
/// </para>
/// <para>
/// <c>MALLOC_ARENA_MAX=2</c>: glibc gives each thread that allocates its own arena, up to 8 per core, each keeping
/// freed memory; two are plenty for the few C allocations (TLS, SQLite). 2 MB less.
/// </para>
/// <para>
/// For the control-plane commands alone (<c>server</c>, <c>controller-manager</c>, <c>scheduler</c>), whose work
/// grows with the cluster: tiered compilation (<c>DOTNET_TieredCompilation=1</c>, without the instrumented tier,
/// <c>DOTNET_TieredPGO=0</c>, and counting calls from the start, <c>DOTNET_TC_CallCountingDelayMs=0</c>). The binary
/// is built ReadyToRun with tiering off, which suits <c>up</c> and <c>agent</c> (less CPU per pod started, less
/// memory); but precompiled code is never recompiled then, and under sustained load the API server spent 1.5 times
/// the CPU per request of JIT-optimized code. With these, its hot methods are recompiled within the first seconds
/// of load: 500 nodes, 1,000 pods scheduled at ~770–800 pods/s instead of ~500 (docs/benchmarks.md, 2026-11-28).
/// And the server garbage collector (<c>DOTNET_gcServer=1</c>: a heap and a collecting thread per core, its budgets
/// adapted to the load, DATAS) with the runtime's own young-generation size (<c>DOTNET_GCgen0size=0</c>) in place of
/// the 3 MB floor: the workstation collector collects a busy API server's young generation after every 3 MB it
/// allocates, on one thread, each time promoting what the requests in flight hold, and the heap at 5,000 nodes is
/// gigabytes.
/// 5,000 nodes, 10,000 pods: scheduled at ~980 pods/s instead of ~600–700, the server's CPU per pod 1.5 ms instead of
/// 2.0–2.3; idle RSS of <c>cetus server</c> 156 MB against 163 (docs/benchmarks.md, 2026-11-28 12:05–13:25).
/// </para>
/// <para>
/// Measured in docs/benchmarks.md (2026-11-28): idle <c>cetus up</c> 163 → 148 MB. All are read once, when the
/// process starts, so these commands, started without them, execute themselves again once with them set (same
/// process id, same arguments, ~50 ms). A variable already set (by you) is left as it is; setting
/// <c>DOTNET_GCgen0size</c> (0 for the runtime's default) skips the second start.
/// </para>
/// </remarks>
internal static class RuntimeSettings
{
    /// <summary>The variables and the values set for every long-running command.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Settings = [("DOTNET_GCgen0size", "0x300000"), ("MALLOC_ARENA_MAX", "2")];

    /// <summary>The variables and the values set for the control-plane commands, in place of those of <see cref="Settings"/> they name.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> ControlPlaneSettings = [("DOTNET_GCgen0size", "0"), ("DOTNET_gcServer", "1"), ("DOTNET_TieredCompilation", "1"), ("DOTNET_TieredPGO", "0"), ("DOTNET_TC_CallCountingDelayMs", "0")];

    private static readonly HashSet<string> LongRunning = new(StringComparer.Ordinal) { "up", "server", "agent", "controller-manager", "scheduler" };

    private static readonly HashSet<string> ControlPlane = new(StringComparer.Ordinal) { "server", "controller-manager", "scheduler" };

    /// <summary>
    /// For a long-running command started without the settings, replaces this process with itself, the missing ones
    /// set. Returns (doing nothing) otherwise, or if that fails.
    /// </summary>
    public static void Ensure(string[] args)
    {
        // Only the cetus executable itself: under `dotnet cetus.dll` the process is the dotnet host, whose arguments
        // these are not.
        if (!ShouldReexecute(args, Environment.GetEnvironmentVariable(Settings[0].Name)) || !OperatingSystem.IsLinux()
            || Environment.ProcessPath is not { } self || string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.Ordinal))
        {
            return;
        }

        var environment = new List<string?>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }

        foreach (var (name, value) in For(args[0]))
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                environment.Add($"{name}={value}");
            }
        }

        environment.Add(null);
        string?[] argv = [self, .. args, null];
        RemoveDiagnosticsSocket();
        try
        {
            // Only returns on failure; the process goes on with the defaults then.
            _ = Execve(self, argv, [.. environment]);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException or MarshalDirectiveException)
        {
        }
    }

    /// <summary>
    /// Removes this runtime's diagnostics socket (<c>$TMPDIR/dotnet-diagnostic-PID-START-socket</c>, where
    /// dotnet-counters, dotnet-trace and dotnet-dump connect). It is named after the process id and start time, which
    /// the new image keeps, and the runtime started by execve cannot listen where the file is left: without this, no
    /// diagnostics tool could attach to a long-running command.
    /// </summary>
    private static void RemoveDiagnosticsSocket()
    {
        var directory = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        try
        {
            foreach (var socket in Directory.EnumerateFiles(directory, $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
            {
                File.Delete(socket);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The settings of a command: every long-running one gets <see cref="Settings"/>, the control plane more.</summary>
    internal static IReadOnlyList<(string Name, string Value)> For(string command) =>
        ControlPlane.Contains(command) ? [.. ControlPlaneSettings, .. Settings.Where(s => !ControlPlaneSettings.Any(c => c.Name == s.Name))] : Settings;

    /// <summary>True for a long-running command (the first argument) when the GC setting is not in the environment.</summary>
    internal static bool ShouldReexecute(string[] args, string? gen0Size) =>
        gen0Size is null && args.Length > 0 && LongRunning.Contains(args[0]) && !args.Contains("--help") && !args.Contains("-h");

#pragma warning disable CA5392, CA2101 // libc.so.6 is the system library, found by the loader; LPStr is UTF-8 on Linux
    [DllImport("libc.so.6", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);
#pragma warning restore CA5392, CA2101
}
