using System.Buffers;
using System.Net.WebSockets;

namespace Cetus.Kubelet.Server;

/// <summary>
/// Relays a client's channel WebSocket (v5.channel.k8s.io or v4.channel.k8s.io, from kubectl through the API server)
/// to the runtime's stream server (v4.channel.k8s.io): every message passes through unchanged — the first byte is the
/// channel (0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize) in both versions — except v5's close signal
/// (channel 255), which v4 cannot carry and is dropped. When either side closes, the other is closed too.
/// Exec and attach now use <see cref="SpdyExecRelay"/> (SPDY carries the end of stdin); <see cref="ClientProtocols"/>
/// and <see cref="ConnectAsync"/> remain in use (the exec handler, port-forward's <see cref="RuntimePortStream"/>).
/// </summary>
internal static class WebSocketRelay
{
    /// <summary>The subprotocols the kubelet accepts from clients, preferred first.</summary>
    public static readonly string[] ClientProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    /// <summary>The subprotocol spoken with the runtime's stream server.</summary>
    public const string RuntimeProtocol = "v4.channel.k8s.io";

    private const byte CloseSignal = 255;

    /// <summary>Connects to the runtime's stream server URL (http://… as CRI returns it) with <see cref="RuntimeProtocol"/>.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(string url, string protocol, CancellationToken cancellationToken)
    {
        var uri = new UriBuilder(url);
        uri.Scheme = uri.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(protocol);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        try
        {
            await socket.ConnectAsync(uri.Uri, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Pumps messages both ways until one side closes, then closes the other; returns when both pumps end.</summary>
    public static async Task RunAsync(WebSocket client, WebSocket runtime, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var toRuntime = PumpAsync(client, runtime, dropCloseSignals: true, stop.Token);
        var toClient = PumpAsync(runtime, client, dropCloseSignals: false, stop.Token);
        var first = await Task.WhenAny(toRuntime, toClient).ConfigureAwait(false);
        // One side closed (the runtime: the process ended and its Status was sent; the client: it went away) and the
        // close was passed on: give the other side a moment to answer it, then stop waiting for it.
        var other = first == toRuntime ? toClient : toRuntime;
        await Task.WhenAny(other, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken)).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(toRuntime, toClient).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }

    private static async Task PumpAsync(WebSocket from, WebSocket to, bool dropCloseSignals, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            var startOfMessage = true;
            var dropping = false;
            while (true)
            {
                WebSocketReceiveResult received;
                try
                {
                    received = await from.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (WebSocketException)
                {
                    await CloseAsync(to, WebSocketCloseStatus.EndpointUnavailable, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await CloseAsync(to, received.CloseStatus ?? WebSocketCloseStatus.NormalClosure, cancellationToken).ConfigureAwait(false);
                    return;
                }

                if (startOfMessage)
                {
                    dropping = dropCloseSignals && received.Count > 0 && buffer[0] == CloseSignal;
                }

                if (!dropping)
                {
                    await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken).ConfigureAwait(false);
                }

                startOfMessage = received.EndOfMessage;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(status, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
    }
}
