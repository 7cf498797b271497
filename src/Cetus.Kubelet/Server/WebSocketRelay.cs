using System.Net.WebSockets;

namespace Cetus.Kubelet.Server;

/// <summary>
/// The channel WebSocket protocols of the streaming paths: what the kubelet accepts from clients for exec and attach
/// (v5.channel.k8s.io, v4.channel.k8s.io; those sessions then go to the runtime over SPDY, see
/// <see cref="SpdyExecRelay"/>), and the v4.channel.k8s.io connection to the runtime's stream server that
/// port-forward's <see cref="RuntimePortStream"/> uses.
/// </summary>
internal static class WebSocketRelay
{
    /// <summary>The subprotocols the kubelet accepts from clients, preferred first.</summary>
    public static readonly string[] ClientProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    /// <summary>The subprotocol spoken with the runtime's stream server.</summary>
    public const string RuntimeProtocol = "v4.channel.k8s.io";

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
}
