using System.Diagnostics;
using System.Text;

namespace Cetus.Testing;

/// <summary>
/// Any real <c>out/cetus ARGS</c> process (a controller manager, a scheduler, …): its output is collected, and
/// <see cref="StartAsync"/> returns once a line matches (or the process exits). Disposal stops it with SIGTERM
/// (SIGKILL after 10 s); <see cref="KillAsync"/> kills it at once, as a crash would.
/// </summary>
public sealed class CetusProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    private CetusProcess(Process process) => _process = process;

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
    public int ProcessId => _process.Id;

    /// <summary>True while it runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts <c>out/cetus ARGUMENTS</c> and waits (up to <paramref name="patience"/>, default 60 s) for a line matching <paramref name="ready"/>.</summary>
    public static async Task<CetusProcess> StartAsync(IReadOnlyList<string> arguments, Func<string, bool> ready, TimeSpan? patience = null)
    {
        var binary = Path.Combine(CetusServerProcess.RepositoryRoot(), "out", "cetus");
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cetus = new CetusProcess(Process.Start(start)!);
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (cetus._log)
            {
                cetus._log.AppendLine(line);
            }

            if (ready(line))
            {
                started.TrySetResult();
            }
        }

        cetus._process.OutputDataReceived += (_, e) => Append(e.Data);
        cetus._process.ErrorDataReceived += (_, e) => Append(e.Data);
        cetus._process.BeginOutputReadLine();
        cetus._process.BeginErrorReadLine();
        cetus._process.EnableRaisingEvents = true;
        cetus._process.Exited += (_, _) => started.TrySetException(new InvalidOperationException($"cetus {arguments[0]} exited with {cetus._process.ExitCode}:\n{cetus.Log}"));
        try
        {
            await started.Task.WaitAsync(patience ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await cetus.DisposeAsync();
            throw new TimeoutException($"cetus {arguments[0]} did not print the expected line in time:\n{cetus.Log}");
        }

        return cetus;
    }

    /// <summary>Kills the process with SIGKILL, without warning (a crash).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Stops the process with SIGTERM (SIGKILL after 10 s).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }

        _process.Dispose();
    }
}
