using System.Net;
using System.Net.Sockets;
using System.Text;
using Cetus.Kubelet.Streaming.Spdy;

namespace Cetus.Kubelet.Tests.Streaming;

/// <summary>Loopback sockets, an echo server and bounded waits for the SPDY and port-forward tests.</summary>
internal static class SpdyTestKit
{
    /// <summary>The bound of every wait in these tests.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>Both ends of a fresh loopback TCP connection (a duplex pipe with real socket semantics).</summary>
    public static async Task<(NetworkStream Client, NetworkStream Server)> LoopbackPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepted = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accepted.WaitAsync(Deadline);
        server.NoDelay = true;
        return (new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    /// <summary>A block of lower-case headers.</summary>
    public static SpdyHeaders Headers(params (string Name, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));

    /// <summary>Everything <paramref name="stream"/> yields until its end, within the deadline.</summary>
    public static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer).WaitAsync(Deadline);
        return buffer.ToArray();
    }

    /// <summary>Exactly <paramref name="count"/> bytes from <paramref name="stream"/>, within the deadline.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Deadline);
        return buffer;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(5);
        }
    }
}

/// <summary>
/// A loopback TCP echo server: each connection gets back what it sends; at the client's end of input the server
/// closes its side. Counts connections accepted and connections the other side closed.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;
    private int _closedByPeer;
    private long _bytesEchoed;

    public EchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    public int ClosedByPeer => Volatile.Read(ref _closedByPeer);

    public long BytesEchoed => Interlocked.Read(ref _bytesEchoed);

    /// <summary>What the port-forward server's connectToPort does for a pod: a TCP connection to the port.</summary>
    public static async Task<Stream> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new NetworkStream(socket, ownsSocket: true);
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                lock (_connections)
                {
                    _connections.Add(EchoAsync(socket));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    break;
                }
                await stream.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                Interlocked.Add(ref _bytesEchoed, n);
            }
            Interlocked.Increment(ref _closedByPeer);
        }
        catch (IOException)
        {
            Interlocked.Increment(ref _closedByPeer);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections).WaitAsync(SpdyTestKit.Deadline);
        _stop.Dispose();
    }
}
