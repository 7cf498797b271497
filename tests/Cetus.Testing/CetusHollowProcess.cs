using System.Diagnostics;
using System.Text;

namespace Cetus.Testing;

/// <summary>
/// A real <c>out/cetus hollow</c> process (simulated nodes) against a server's kubeconfig, stopped with SIGTERM
/// (SIGKILL after 10 s) on dispose. <see cref="StartAsync"/> returns once it printed that every node registered.
/// </summary>
public sealed class CetusHollowProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    private CetusHollowProcess()
    {
    }

    /// <summary>What the process printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The process id.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Starts <c>cetus hollow --kubeconfig KUBECONFIG ARGS</c> and waits (up to <paramref name="patience"/>) until all nodes registered.</summary>
    public static async Task<CetusHollowProcess> StartAsync(string kubeconfig, IReadOnlyList<string> arguments, TimeSpan? patience = null)
    {
        var binary = Path.Combine(CetusServerProcess.RepositoryRoot(), "out", "cetus");
        var hollow = new CetusHollowProcess();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "hollow", "--kubeconfig", kubeconfig }.Concat(arguments))
        {
            start.ArgumentList.Add(arg);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hollow._process = Process.Start(start)!;
        hollow._process.OutputDataReceived += (_, e) => hollow.Append(e.Data, ready);
        hollow._process.ErrorDataReceived += (_, e) => hollow.Append(e.Data, ready);
        hollow._process.BeginOutputReadLine();
        hollow._process.BeginErrorReadLine();
        hollow._process.EnableRaisingEvents = true;
        hollow._process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"cetus hollow exited with {hollow._process.ExitCode}:\n{hollow.Log}"));
        try
        {
            await ready.Task.WaitAsync(patience ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await hollow.DisposeAsync();
            throw new TimeoutException($"cetus hollow did not register its nodes in time:\n{hollow.Log}");
        }

        return hollow;
    }

    /// <summary>Stops the process with SIGTERM (SIGKILL after 10 s).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        _process?.Dispose();
    }

    private void Append(string? line, TaskCompletionSource ready)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }

        // "cetus: hollow: registered N/N nodes ..."
        var marker = line.IndexOf("registered ", StringComparison.Ordinal);
        if (marker >= 0)
        {
            var counts = line[(marker + "registered ".Length)..].Split(' ')[0].Split('/');
            if (counts.Length == 2 && counts[0] == counts[1])
            {
                ready.TrySetResult();
            }
        }
    }
}
