using System.Diagnostics;
using Cetus.Cri.Remote;

namespace Cetus.Testing;

/// <summary>
/// The machine's one containerd, as <c>scripts/runtime.sh</c> runs it (only one can run per machine: its shims live
/// under /run/containerd whatever its state directory). <see cref="StartAsync"/> starts it (installing and importing
/// what is missing) unless it already runs; <see cref="DisposeAsync"/> removes, through CRI, every sandbox created
/// since, then stops containerd if this instance started it — pods first, then containerd, as a clean teardown needs.
/// </summary>
public sealed class Containerd : IAsyncDisposable
{
    /// <summary>The busybox image the runtime set-up imports.</summary>
    public const string BusyboxImage = "localhost/busybox:1.35";

    private readonly DateTime _startedAt;

    private Containerd(string socketPath, bool startedHere)
    {
        SocketPath = socketPath;
        StartedHere = startedHere;
        _startedAt = DateTime.UtcNow;
        Runtime = new RemoteRuntime(socketPath);
    }

    /// <summary>containerd's CRI socket.</summary>
    public string SocketPath { get; }

    /// <summary>The endpoint as cetus takes it (unix:///…).</summary>
    public string Endpoint => "unix://" + SocketPath;

    /// <summary>True when this instance started containerd (and so stops it).</summary>
    public bool StartedHere { get; }

    /// <summary>A CRI client of it.</summary>
    public RemoteRuntime Runtime { get; }

    /// <summary>Makes sure containerd runs (scripts/runtime.sh start) and answers CRI.</summary>
    public static async Task<Containerd> StartAsync()
    {
        var running = await RunScriptAsync("status", TimeSpan.FromSeconds(10)) == 0;
        if (!running && await RunScriptAsync("start", TimeSpan.FromMinutes(5)) is var code and not 0)
        {
            throw new InvalidOperationException($"scripts/runtime.sh start failed with exit {code}");
        }

        var socket = RuntimeEndpoint.SocketPath(RuntimeEndpoint.Default);
        var containerd = new Containerd(socket, startedHere: !running);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var status = await containerd.Runtime.StatusAsync(timeout.Token);
        if (!status.Conditions.All(c => c.Status))
        {
            throw new InvalidOperationException("containerd is not ready: " + string.Join(", ", status.Conditions.Select(c => $"{c.Type}={c.Status} {c.Message}")));
        }

        return containerd;
    }

    /// <summary>Stops and removes every sandbox created since <see cref="StartAsync"/> (all of them when started here).</summary>
    public async Task RemoveSandboxesAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        foreach (var sandbox in await Runtime.ListPodSandboxAsync(null, timeout.Token))
        {
            if (StartedHere || DateTime.UnixEpoch.AddTicks(sandbox.CreatedAt / 100) >= _startedAt.AddSeconds(-1))
            {
                await Runtime.StopPodSandboxAsync(sandbox.Id, timeout.Token);
                await Runtime.RemovePodSandboxAsync(sandbox.Id, timeout.Token);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RemoveSandboxesAsync();
        }
        finally
        {
            Runtime.Dispose();
            if (StartedHere)
            {
                await RunScriptAsync("stop", TimeSpan.FromMinutes(2));
            }
        }
    }

    private static async Task<int> RunScriptAsync(string verb, TimeSpan patience)
    {
        var script = Path.Combine(CetusServerProcess.RepositoryRoot(), "scripts", "runtime.sh");
        var start = new ProcessStartInfo(script, verb) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/runtime.sh {verb} did not finish in {patience}:\n{await output}{await error}");
        }

        Console.Error.Write(await error);
        return process.ExitCode;
    }
}
