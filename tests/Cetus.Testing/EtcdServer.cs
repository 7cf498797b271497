using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cetus.Storage;

namespace Cetus.Testing;

/// <summary>
/// A real etcd (Debian's etcd-server) started on 127.0.0.1 with free ports and a temporary data directory; one
/// member, or several that form a cluster. Stopped and removed on dispose.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private const string Binary = "/usr/bin/etcd";
    private readonly TempDirectory _directory = new("etcd");
    private readonly List<Member> _members = [];

    private EtcdServer()
    {
    }

    /// <summary>host:port of each member's client endpoint.</summary>
    public IReadOnlyList<string> ClientEndpoints => _members.Select(m => $"127.0.0.1:{m.ClientPort}").ToList();

    /// <summary>Starts <paramref name="members"/> members and waits until the cluster answers.</summary>
    public static async Task<EtcdServer> StartAsync(int members = 1)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's etcd-server (./test.sh does: apt-get install -y etcd-server)");
        }

        var server = new EtcdServer();
        try
        {
            for (var i = 0; i < members; i++)
            {
                server._members.Add(new Member($"m{i}", FreePort(), FreePort()));
            }

            var cluster = string.Join(',', server._members.Select(m => $"{m.Name}=http://127.0.0.1:{m.PeerPort}"));
            foreach (var member in server._members)
            {
                member.Process = server.Launch(member, cluster);
            }

            await server.WaitHealthyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills one member (SIGKILL), as a crash would.</summary>
    public void Kill(int member) => _members[member].Process?.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        foreach (var member in _members)
        {
            if (member.Process is { } process)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }

                process.Dispose();
            }
        }

        _directory.Dispose();
    }

    private Process Launch(Member member, string cluster)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            "--name", member.Name,
            "--data-dir", _directory.File(member.Name),
            "--listen-client-urls", $"http://127.0.0.1:{member.ClientPort}",
            "--advertise-client-urls", $"http://127.0.0.1:{member.ClientPort}",
            "--listen-peer-urls", $"http://127.0.0.1:{member.PeerPort}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{member.PeerPort}",
            "--initial-cluster", cluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", Path.GetFileName(_directory.Path),
            // 1.5 MiB values plus the request around them; etcd's default limit is exactly 1.5 MiB.
            "--max-request-bytes", "3145728",
            "--quota-backend-bytes", "8589934592",
            "--logger", "zap",
            "--log-level", "warn",
            "--heartbeat-interval", "50",
            "--election-timeout", "500",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("etcd did not start");
        member.Log = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(member.Log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(member.Log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.Length < 64 * 1024)
            {
                log.AppendLine(line);
            }
        }
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = Stopwatch.StartNew();
        await using var store = Cetus.Storage.Etcd.EtcdStore.Connect(ClientEndpoints, new StoreOptions { Compaction = null });
        while (true)
        {
            var exited = _members.FirstOrDefault(m => m.Process!.HasExited);
            if (exited is not null)
            {
                throw new InvalidOperationException($"etcd member {exited.Name} exited with {exited.Process!.ExitCode}: {exited.Log}");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await store.GetCurrentRevisionAsync(attempt.Token);
                return;
            }
            catch (Exception e) when (e is StoreException or OperationCanceledException && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Member(string name, int clientPort, int peerPort)
    {
        public string Name { get; } = name;

        public int ClientPort { get; } = clientPort;

        public int PeerPort { get; } = peerPort;

        public Process? Process { get; set; }

        public StringBuilder Log { get; set; } = new();
    }
}
