using System.Net.WebSockets;
using System.Text;

namespace Cetus.Kubelet.Server;

/// <summary>
/// One forwarded connection to a pod port, through the runtime's stream server: a WebSocket (v4.channel.k8s.io) to the
/// URL CRI PortForward returned, with channel 0 carrying the data and channel 1 the errors; the server starts each
/// channel with the port as two little-endian bytes. Reads return the pod's bytes, writes send to it; an error the
/// runtime reports (nothing listens on the port, say) surfaces as an <see cref="IOException"/> with its text.
/// </summary>
internal sealed class RuntimePortStream : Stream
{
    private const byte DataChannel = 0;
    private const byte ErrorChannel = 1;
    private readonly ClientWebSocket _socket;
    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly bool[] _prefixSeen = new bool[2];
    private ReadOnlyMemory<byte> _pending;
    private bool _ended;

    private RuntimePortStream(ClientWebSocket socket)
    {
        _socket = socket;
    }

    /// <summary>Opens the forward to <paramref name="port"/> at the stream server URL <paramref name="url"/>.</summary>
    public static async Task<RuntimePortStream> ConnectAsync(string url, int port, CancellationToken cancellationToken)
    {
        // The stream server takes the ports from the query (upstream's "port" parameter).
        var separator = url.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        var socket = await WebSocketRelay.ConnectAsync($"{url}{separator}port={port}", WebSocketRelay.RuntimeProtocol, cancellationToken).ConfigureAwait(false);
        return new RuntimePortStream(socket);
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.IsEmpty)
        {
            if (_ended)
            {
                return 0;
            }

            await ReceiveAsync(cancellationToken).ConfigureAwait(false);
        }

        var count = Math.Min(buffer.Length, _pending.Length);
        _pending[..count].CopyTo(buffer);
        _pending = _pending[count..];
        return count;
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var message = new byte[buffer.Length + 1];
        message[0] = DataChannel;
        buffer.CopyTo(message.AsMemory(1));
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        _socket.Dispose();
        _sending.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    // Reads one whole message; data goes to _pending, an error becomes an IOException, a close ends the stream.
    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult received;
        do
        {
            if (length == _receive.Length)
            {
                throw new IOException("the runtime's port-forward message is larger than 64 KiB");
            }

            try
            {
                received = await _socket.ReceiveAsync(_receive.AsMemory(length), cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                _ended = true;
                return;
            }

            if (received.MessageType == WebSocketMessageType.Close)
            {
                _ended = true;
                return;
            }

            length += received.Count;
        }
        while (!received.EndOfMessage);

        if (length == 0)
        {
            return;
        }

        var channel = _receive[0];
        var payload = _receive.AsMemory(1, length - 1);
        if (channel <= ErrorChannel && !_prefixSeen[channel])
        {
            // The port, as two little-endian bytes, opens each channel.
            _prefixSeen[channel] = true;
            payload = payload.Length >= 2 ? payload[2..] : Memory<byte>.Empty;
        }

        if (payload.IsEmpty)
        {
            return;
        }

        if (channel == ErrorChannel)
        {
            throw new IOException(Encoding.UTF8.GetString(payload.Span));
        }

        if (channel == DataChannel)
        {
            _pending = payload.ToArray();
        }
    }
}
