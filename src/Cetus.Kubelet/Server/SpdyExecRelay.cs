using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Cetus.Kubelet.Streaming.Spdy;
using Microsoft.Extensions.Logging;

namespace Cetus.Kubelet.Server;

/// <summary>
/// The kubelet's stream translator for exec and attach: the client's channel WebSocket (v5.channel.k8s.io or
/// v4.channel.k8s.io; the first byte of a message is the channel: 0 stdin, 1 stdout, 2 stderr, 3 Status, 4 resize,
/// and in v5 255 "close channel N") relayed to the runtime's SPDY remotecommand session (<see cref="RuntimeExecConnection"/>).
/// v5's close of channel 0 half-closes the stdin stream, so the command sees the end of its input — what a v4
/// WebSocket to the runtime cannot say. When the runtime's error stream ends, the output still arriving is passed on,
/// then its Status (or Success, when it said nothing) goes out on channel 3 and the client's WebSocket is closed
/// normally. A client that goes away resets every stream and closes the session.
/// </summary>
internal static class SpdyExecRelay
{
    /// <summary>The client subprotocol that carries close signals (channel 255).</summary>
    public const string CloseSignalProtocol = "v5.channel.k8s.io";

    private const byte StdinChannel = 0;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const byte StatusChannel = 3;
    private const byte ResizeChannel = 4;
    private const byte CloseSignal = 255;
    private const int BufferSize = 32 * 1024;
    private const int MaxControlMessage = 4 * 1024;
    private const int MaxStatus = 64 * 1024;

    // After the Status: the output streams may still be draining to a slow client, but one that makes no progress
    // for this long is given up (the runtime normally resets them right after the Status).
    private static readonly TimeSpan OutputIdle = TimeSpan.FromSeconds(5);

    // How long a peer gets to answer a close.
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private static readonly byte[] SuccessStatus = "{\"metadata\":{},\"status\":\"Success\"}"u8.ToArray();

    /// <summary>
    /// Connects to the runtime's stream server at <paramref name="runtimeUrl"/> and relays <paramref name="client"/>
    /// (already accepted with <paramref name="clientProtocol"/>) to it until the command ends or the client goes away.
    /// If the runtime cannot be reached, the client gets a Failure Status on channel 3 and the
    /// <see cref="IOException"/> is rethrown.
    /// </summary>
    public static async Task RunAsync(WebSocket client, string clientProtocol, string runtimeUrl, bool stdin, bool stdout, bool stderr, bool tty, ILogger logger, CancellationToken cancellationToken)
    {
        RuntimeExecConnection runtime;
        try
        {
            runtime = await RuntimeExecConnection.ConnectAsync(runtimeUrl, stdin, stdout, stderr, tty, logger, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            using var sender = new ClientSender(client);
            try
            {
                await sender.SendAsync(StatusChannel, FailureStatus(e.Message), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client is gone too; the runtime's failure is what the caller hears about.
            }

            await CloseAsync(client, WebSocketCloseStatus.NormalClosure, cancellationToken).ConfigureAwait(false);
            throw;
        }

        await RunAsync(client, clientProtocol, runtime, logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Relays <paramref name="client"/> to an open runtime session, which it disposes at the end.</summary>
    public static async Task RunAsync(WebSocket client, string clientProtocol, RuntimeExecConnection runtime, ILogger logger, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sender = new ClientSender(client);
        await using (runtime.ConfigureAwait(false))
        {
            var fromClient = PumpFromClientAsync(client, runtime, clientProtocol == CloseSignalProtocol, logger, stop.Token);
            var outputs = Task.WhenAll(PumpToClientAsync(sender, runtime.Stdout, StdoutChannel, stop.Token), PumpToClientAsync(sender, runtime.Stderr, StderrChannel, stop.Token));
            var status = ReadStatusAsync(runtime, logger, stop.Token);
            if (await Task.WhenAny(fromClient, status).ConfigureAwait(false) == fromClient && !status.IsCompleted)
            {
                logger.LogDebug("exec relay: the client went away; resetting the runtime's streams");
                await stop.CancelAsync().ConfigureAwait(false);
                await runtime.AbortAsync().ConfigureAwait(false);
                await CloseAsync(client, WebSocketCloseStatus.NormalClosure, cancellationToken).ConfigureAwait(false);
                await Task.WhenAll(outputs, status).ConfigureAwait(false);
                return;
            }

            var statusJson = await status.ConfigureAwait(false);
            await DrainAsync(outputs, sender, logger, stop.Token).ConfigureAwait(false);
            try
            {
                // Bounded: a client that stopped reading must not keep the relay (and the runtime's session) open.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                timeout.CancelAfter(OutputIdle);
                await sender.SendAsync(StatusChannel, statusJson, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                logger.LogDebug("exec relay: the client went away before the Status: {Error}", e.Message);
            }

            await CloseAsync(client, WebSocketCloseStatus.NormalClosure, cancellationToken).ConfigureAwait(false);
            await Task.WhenAny(fromClient, Task.Delay(CloseGrace, cancellationToken)).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(fromClient, outputs).ConfigureAwait(false);
        }
    }

    // Client → runtime: stdin data, resize messages, and v5's close of stdin as the stdin stream's FIN. Never throws;
    // returns when the client closes or fails, or on cancellation.
    private static async Task PumpFromClientAsync(WebSocket client, RuntimeExecConnection runtime, bool closeSignals, ILogger logger, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var control = new MemoryStream();
        var stdin = runtime.Stdin;
        var channel = -1;
        try
        {
            while (true)
            {
                var received = await client.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var data = buffer.AsMemory(0, received.Count);
                if (channel < 0 && !data.IsEmpty)
                {
                    channel = data.Span[0];
                    data = data[1..];
                }

                if (channel == StdinChannel && stdin is not null && !data.IsEmpty)
                {
                    stdin = await ForwardAsync(stdin, data, logger, cancellationToken).ConfigureAwait(false);
                }
                else if (channel is ResizeChannel or CloseSignal && control.Length + data.Length <= MaxControlMessage)
                {
                    control.Write(data.Span);
                }

                if (received.EndOfMessage)
                {
                    if (channel == ResizeChannel && runtime.Resize is not null && control.Length > 0)
                    {
                        // {"Width":W,"Height":H} in both protocols; the runtime's JSON decoder takes them back to back.
                        await ForwardAsync(runtime.Resize, control.ToArray(), logger, cancellationToken).ConfigureAwait(false);
                    }
                    else if (channel == CloseSignal && closeSignals && control.Length > 0 && control.GetBuffer()[0] == StdinChannel && stdin is not null)
                    {
                        logger.LogDebug("exec relay: the client closed stdin; half-closing the runtime's stdin stream");
                        await HalfCloseAsync(stdin, logger, cancellationToken).ConfigureAwait(false);
                        stdin = null;
                    }

                    control.SetLength(0);
                    channel = -1;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            logger.LogDebug("exec relay: reading from the client ended: {Error}", e.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // A failed write to the runtime (the command is gone, or closed its input) drops that stream, as client-go does.
    private static async Task<SpdyStream?> ForwardAsync(SpdyStream stream, ReadOnlyMemory<byte> data, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return stream;
        }
        catch (IOException e)
        {
            logger.LogDebug("exec relay: writing the {StreamType} stream failed: {Error}", stream.Headers.Get("streamType"), e.Message);
            return null;
        }
    }

    private static async Task HalfCloseAsync(SpdyStream stream, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await stream.CloseWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The command is gone already; its Status is on the way.
            logger.LogDebug("exec relay: half-closing stdin failed: {Error}", e.Message);
        }
    }

    // Runtime → client: one stream's data as messages on its channel, until the stream ends. Never throws.
    private static async Task PumpToClientAsync(ClientSender sender, SpdyStream? stream, byte channel, CancellationToken cancellationToken)
    {
        if (stream is null)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize + 1);
        try
        {
            buffer[0] = channel;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(1, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await sender.SendAsync(buffer.AsMemory(0, read + 1), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The runtime reset the stream after the Status or went away, or the client did: the relay's end decides.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The error stream to its end, as the Status to send on channel 3. Never throws.
    private static async Task<byte[]> ReadStatusAsync(RuntimeExecConnection runtime, ILogger logger, CancellationToken cancellationToken)
    {
        var text = new MemoryStream();
        var chunk = new byte[4096];
        string? failure = null;
        try
        {
            int read;
            while ((read = await runtime.Error.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (text.Length + read > MaxStatus)
                {
                    failure = $"the Status is larger than {MaxStatus / 1024} KiB";
                    break;
                }

                text.Write(chunk, 0, read);
            }
        }
        catch (IOException e) when (runtime.Error.ResetStatus is not null)
        {
            // The stream server resets every stream once it has written the Status (or, before v4, nothing on success).
            logger.LogDebug("exec relay: the runtime reset the error stream: {Error}", e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            failure = e.Message;
        }

        if (failure is not null)
        {
            return FailureStatus($"error reading from error stream: {failure}");
        }

        if (text.Length == 0)
        {
            return SuccessStatus;
        }

        var message = text.ToArray();
        if (runtime.Protocol != RuntimeExecConnection.StatusProtocol)
        {
            // Before v4 the error stream carries the error's text.
            return FailureStatus($"error executing remote command: {Encoding.UTF8.GetString(message)}");
        }

        try
        {
            using var parsed = JsonDocument.Parse(message);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                return message;
            }
        }
        catch (JsonException)
        {
        }

        return FailureStatus($"error stream protocol error: not a Status: {Encoding.UTF8.GetString(message)}");
    }

    // After the Status, what the output streams still carry goes out first (bounded by progress, see OutputIdle).
    private static async Task DrainAsync(Task outputs, ClientSender sender, ILogger logger, CancellationToken cancellationToken)
    {
        var seen = -1L;
        while (!outputs.IsCompleted)
        {
            if (sender.Sent == seen)
            {
                logger.LogDebug("exec relay: the runtime's output streams stayed open after the Status; closing");
                return;
            }

            seen = sender.Sent;
            try
            {
                await Task.WhenAny(outputs, Task.Delay(OutputIdle, cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>A metav1.Status with status Failure, reason InternalError and code 500 (what the kubelet writes for an error).</summary>
    internal static byte[] FailureStatus(string message)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            json.WriteString("status", "Failure");
            json.WriteString("message", message);
            json.WriteString("reason", "InternalError");
            json.WriteNumber("code", 500);
            json.WriteEndObject();
        }

        return output.WrittenSpan.ToArray();
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(CloseGrace);
                await socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Sends whole messages to the client, one at a time (the output pumps and the Status share the socket).</summary>
    private sealed class ClientSender(WebSocket client) : IDisposable
    {
        private readonly SemaphoreSlim _lock = new(1, 1);
        private long _sent;

        /// <summary>Bytes sent so far (the drain's measure of progress).</summary>
        public long Sent => Interlocked.Read(ref _sent);

        public Task SendAsync(byte channel, byte[] payload, CancellationToken cancellationToken)
        {
            var message = new byte[payload.Length + 1];
            message[0] = channel;
            payload.CopyTo(message, 1);
            return SendAsync(message, cancellationToken);
        }

        public async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        {
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await client.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _sent, message.Length);
            }
            finally
            {
                _lock.Release();
            }
        }

        public void Dispose() => _lock.Dispose();
    }
}
