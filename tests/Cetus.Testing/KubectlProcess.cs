using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Cetus.Testing;

/// <summary>
/// A kubectl left running (<c>logs -f</c>, <c>port-forward</c>): its output lines arrive on <see cref="Lines"/> as
/// kubectl prints them; disposing kills it and removes its home.
/// </summary>
public sealed class KubectlProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _reading;

    internal KubectlProcess(Process process, string home)
    {
        _process = process;
        _home = home;
        process.StandardInput.Close();
        _reading = Task.WhenAll(ReadLinesAsync(), ReadErrorsAsync());
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>True once kubectl has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its exit code (once exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>What it printed on stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Stdout, a line at a time; completes when kubectl closes its output.</summary>
    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>The next stdout line, or null when stdout ended; a <see cref="TimeoutException"/> after <paramref name="patience"/>.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            return await _lines.Reader.WaitToReadAsync(timeout.Token) && _lines.Reader.TryRead(out var line) ? line : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kubectl printed no line in {patience.TotalSeconds} s; stderr: {Stderr}");
        }
    }

    /// <summary>Waits for kubectl to exit by itself; a <see cref="TimeoutException"/> after <paramref name="patience"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            await _reading;
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"kubectl did not exit in {patience.TotalSeconds} s; stderr: {Stderr}");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    private async Task ReadLinesAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            await _lines.Writer.WriteAsync(line);
        }

        _lines.Writer.Complete();
    }

    private async Task ReadErrorsAsync()
    {
        var buffer = new char[1024];
        int read;
        while ((read = await _process.StandardError.ReadAsync(buffer)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, read);
            }
        }
    }
}
