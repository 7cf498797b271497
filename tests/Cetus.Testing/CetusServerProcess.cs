using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cetus.Testing;

/// <summary>
/// A real <c>out/cetus server</c> process (or <c>out/cetus up</c>: the server plus a local node, see
/// <see cref="StartUpAsync"/>) on 127.0.0.1 with a free port and a temporary data directory, stopped with SIGTERM and
/// removed on dispose. The binary comes from <c>./run.sh</c> (which <c>./test.sh</c> runs first).
/// </summary>
public sealed class CetusServerProcess : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("cetus-server");
    private readonly StringBuilder _log = new();
    private Process? _process;
    private int _port;
    private string? _datastore;
    private IReadOnlyDictionary<string, string>? _environment;
    private IReadOnlyList<string> _command = ["server"];

    private CetusServerProcess()
    {
    }

    /// <summary>The data directory.</summary>
    public string DataDir => _directory.Path;

    /// <summary>The admin kubeconfig the server wrote.</summary>
    public string Kubeconfig => Path.Combine(DataDir, "admin.kubeconfig");

    /// <summary>https://127.0.0.1:PORT.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>True while the server process runs (false once it exited or crashed).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What the server printed so far.</summary>
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

    /// <summary>The repository root (the folder holding Cetus.slnx).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cetus.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cetus.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Starts the server (SQLite in the data directory unless <paramref name="datastore"/> says otherwise) and waits
    /// until it serves; <paramref name="environment"/> adds variables to its environment (e.g. DOTNET_GCHeapHardLimit),
    /// <paramref name="arguments"/> flags to its command line (e.g. --token-auth-file).
    /// </summary>
    public static async Task<CetusServerProcess> StartAsync(string? datastore = null, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null)
    {
        var binary = Path.Combine(RepositoryRoot(), "out", "cetus");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"{binary} is missing: build it with ./run.sh version (./test.sh does)");
        }

        var server = new CetusServerProcess { _port = FreePort(), _datastore = datastore, _environment = environment };
        await server.LaunchAsync(binary, arguments);
        return server;
    }

    /// <summary>
    /// Starts <c>cetus up</c>: the server and a local node named <paramref name="nodeName"/> whose kubelet uses the CRI
    /// runtime at <paramref name="runtimeEndpoint"/> (e.g. a <see cref="FakeCriServer"/>); returns once the API server
    /// serves (the node registers just after: wait for it through the API). <paramref name="binary"/> runs another copy
    /// of <c>out/cetus</c> instead (one that no other process maps).
    /// </summary>
    public static async Task<CetusServerProcess> StartUpAsync(string runtimeEndpoint, string nodeName, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyList<string>? arguments = null, string? binary = null)
    {
        binary ??= Path.Combine(RepositoryRoot(), "out", "cetus");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"{binary} is missing: build it with ./run.sh version (./test.sh does)");
        }

        var server = new CetusServerProcess { _port = FreePort(), _environment = environment, _command = ["up", "--container-runtime-endpoint", runtimeEndpoint, "--node-name", nodeName, "--kubelet-port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)] };
        await server.LaunchAsync(binary, arguments);
        return server;
    }

    /// <summary>The process id (0 when not running).</summary>
    public int ProcessId => _process is { HasExited: false } process ? process.Id : 0;

    /// <summary>Stops the server with SIGTERM (SIGKILL after 10 s), keeping its data directory.</summary>
    public async Task StopAsync()
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
        _process = null;
    }

    /// <summary>Kills the process with SIGKILL (a crash: nothing is cleaned up) and starts it again on the same data directory and port.</summary>
    public async Task KillAndRestartAsync(IReadOnlyList<string>? arguments = null)
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        await LaunchAsync(Path.Combine(RepositoryRoot(), "out", "cetus"), arguments);
    }

    /// <summary>Stops the server and starts it again on the same data directory and port, with <paramref name="arguments"/> as its extra flags.</summary>
    public async Task RestartAsync(IReadOnlyList<string>? arguments = null)
    {
        await StopAsync();
        await LaunchAsync(Path.Combine(RepositoryRoot(), "out", "cetus"), arguments);
    }

    private async Task LaunchAsync(string binary, IReadOnlyList<string>? arguments)
    {
        var port = _port;
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in _command.Concat(["--data-dir", DataDir, "--bind-address", "127.0.0.1", "--secure-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            start.ArgumentList.Add(arg);
        }

        if (_datastore is not null)
        {
            start.ArgumentList.Add("--datastore");
            start.ArgumentList.Add(_datastore);
        }

        foreach (var argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(start)!;
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data, ready);
        process.ErrorDataReceived += (_, e) => Append(e.Data, ready);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"cetus {_command[0]} exited with {process.ExitCode}:\n{Log}"));
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await DisposeAsync();
            throw new TimeoutException($"cetus {_command[0]} was not ready in 60 s:\n{Log}");
        }

        Address = $"https://127.0.0.1:{port}";
    }

    /// <summary>Stops the server with SIGTERM (SIGKILL after 10 s) and removes its data.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
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

        if (line.Contains("API server ready", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that is free now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
