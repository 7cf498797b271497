using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.Client.Security;
using Cetus.Kubelet.Bootstrap;
using Cetus.Kubelet.Node;
using k8s;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus agent</c>: the kubelet of this machine against an API server, reached with a kubeconfig or with a
/// server URL and a bearer token; pods run on the CRI runtime at --container-runtime-endpoint (containerd).
/// </summary>
internal static class AgentCommand
{
    /// <summary>Adds the <c>agent</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string?> kubeconfig = new("--kubeconfig") { Description = "The kubeconfig to reach the API server with (instead of --server and --token)." };
        Option<string?> server = new("--server") { Description = "The API server, e.g. https://10.0.0.1:6443 (with --token)." };
        Option<string?> token = new("--token") { Description = "A join token from `cetus token create` (ID.SECRET: the node gets its own certificate through a CertificateSigningRequest, kept in ROOT-DIR/kubelet.kubeconfig), or any other bearer token the API server accepts." };
        Option<string?> certificateAuthority = new("--certificate-authority") { Description = "The CA certificate (PEM) the API server's certificate must chain to (with --server; the server's DATA-DIR/tls/ca.crt)." };
        var node = NodeFlags.Create();
        Option<string> rootDir = new("--root-dir") { Description = "The kubelet's directory; its filesystem is the node's ephemeral-storage.", DefaultValueFactory = _ => "/var/lib/cetus/agent" };
        Option<string?> nodeIP = new("--node-ip") { Description = "The node's InternalIP. Default: the local address that reaches the API server." };
        Option<string?> caCertHash = new("--ca-cert-hash") { Description = "With a join token and no --certificate-authority: discover the cluster CA from kube-public/cluster-info and accept it only if its public key has this hash (sha256:HEX, printed by `cetus token create`)." };
        Option<bool> rotateCertificates = new("--rotate-certificates") { Description = "With a join token: renew the node's client certificate through a CertificateSigningRequest at 70-90 % of its lifetime, without a restart.", DefaultValueFactory = _ => true };
        Command command = new("agent", "Run this machine's kubelet (a node) against an API server, with containerd over CRI.") { kubeconfig, server, token, certificateAuthority, caCertHash, rootDir, nodeIP, rotateCertificates };
        node.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            KubernetesClientConfiguration clientConfig;
            try
            {
                clientConfig = ClientConfiguration(parseResult.GetValue(kubeconfig), parseResult.GetValue(server), parseResult.GetValue(token), parseResult.GetValue(certificateAuthority));
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or CryptographicException or k8s.Exceptions.KubeConfigException)
            {
                error.WriteLine("cetus agent: " + e.Message);
                return 2;
            }

            var settings = node.Read(parseResult, Path.GetFullPath(parseResult.GetValue(rootDir)!), parseResult.GetValue(nodeIP) ?? MachineInfo.LocalAddressTowards(new Uri(clientConfig.Host)) ?? MachineInfo.FirstHostIPv4());
            NodeBootstrapOptions? bootstrap = null;
            if (parseResult.GetValue(token) is { } joinToken && IsJoinToken(joinToken))
            {
                // TLS bootstrap: the join token only lets the node ask for its certificate; it acts as system:node:NAME.
                var caFile = parseResult.GetValue(certificateAuthority);
                var pin = parseResult.GetValue(caCertHash);
                if (caFile is null && pin is null)
                {
                    error.WriteLine("cetus agent: a join token needs --ca-cert-hash sha256:HEX (printed by `cetus token create`) or --certificate-authority (the server's DATA-DIR/tls/ca.crt) to trust the server");
                    return 2;
                }

                try
                {
                    var caPem = caFile is not null
                        ? await File.ReadAllTextAsync(caFile, cancellationToken).ConfigureAwait(false)
                        : await TokenDiscovery.DiscoverCaAsync(clientConfig.Host, joinToken, pin!, TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (caFile is null)
                    {
                        output.WriteLine($"cetus: cluster CA discovered from {clientConfig.Host}: cluster-info signed with the token, CA public key {pin}");
                    }

                    bootstrap = new NodeBootstrapOptions { ServerUrl = clientConfig.Host, Token = joinToken, CaPem = caPem, NodeName = settings.NodeName, Directory = settings.RootDir };
                    var nodeKubeconfig = await NodeBootstrap.EnsureKubeconfigAsync(bootstrap, line => output.WriteLine("cetus: " + line), cancellationToken).ConfigureAwait(false);
                    clientConfig = KubeconfigFile.Load(nodeKubeconfig);
                }
                catch (NodeBootstrapException e)
                {
                    error.WriteLine("cetus agent: " + e.Message);
                    return 1;
                }
            }

            using var runtime = await AgentRunner.ConnectAsync(settings.RuntimeEndpoint, error, cancellationToken).ConfigureAwait(false);
            if (runtime is null)
            {
                return 1;
            }

            // A joined node owns its certificate: it renews it while it runs (the kubelet's rotateCertificates).
            using var rotation = bootstrap is not null && parseResult.GetValue(rotateCertificates) ? new ClientCertificateRotation(bootstrap) : null;
            using var client = rotation?.CreateClient() ?? ControllerManagerCommand.CreateClient(clientConfig);
            output.WriteLine($"cetus: agent for node {settings.NodeName} against {client.BaseUri}, runtime {settings.RuntimeEndpoint}");
            var serving = await ServingAsync(client, clientConfig, settings, output, error, cancellationToken).ConfigureAwait(false);
            using var servingCertificate = serving?.Certificate;
            using var stopRotation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var rotating = rotation is null ? Task.CompletedTask : Task.Run(() => rotation.RunAsync(client, line => output.WriteLine("cetus: " + line), stopRotation.Token), CancellationToken.None);
            try
            {
                return await AgentRunner.RunAsync(client, runtime, settings, serving, output, error, onReady: null, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await stopRotation.CancelAsync().ConfigureAwait(false);
                try
                {
                    await rotating.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        root.Subcommands.Add(command);
    }

    /// <summary>
    /// The kubelet server's certificates: a serving certificate requested as the node (a kubelet-serving CSR, reused
    /// from ROOT-DIR while current) and the cluster CA the agent trusts; null, with the reason, when there is none.
    /// </summary>
    private static async Task<KubeletServing?> ServingAsync(Kubernetes client, KubernetesClientConfiguration config, AgentSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (config.SslCaCerts is not { Count: > 0 } authorities)
        {
            error.WriteLine("cetus agent: no cluster CA (--certificate-authority or the kubeconfig's certificate-authority-data): the kubelet serves no logs, exec or port-forward");
            return null;
        }

        var hostName = System.Net.Dns.GetHostName().ToLowerInvariant();
        var options = new ServingCertificateOptions
        {
            NodeName = settings.NodeName,
            DnsNames = hostName == settings.NodeName ? [settings.NodeName] : [settings.NodeName, hostName],
            IPAddresses = System.Net.IPAddress.TryParse(settings.NodeIP, out var address) ? [address] : [],
            Directory = settings.RootDir,
        };
        try
        {
            var certificate = await ServingCertificates.EnsureAsync(client, options, line => output.WriteLine("cetus: " + line), cancellationToken).ConfigureAwait(false);
            return new KubeletServing(certificate, authorities[0]);
        }
        catch (NodeBootstrapException e)
        {
            error.WriteLine($"cetus agent: no kubelet serving certificate, so the kubelet serves no logs, exec or port-forward: {e.Message}");
            return null;
        }
    }

    /// <summary>A bootstrap (join) token: ID.SECRET, 6 and 16 characters of [a-z0-9].</summary>
    public static bool IsJoinToken(string token) =>
        token.Length == 23 && token[6] == '.' && token.Remove(6, 1).All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));

    /// <summary>The client configuration: from the kubeconfig, or from server + token (+ CA).</summary>
    public static KubernetesClientConfiguration ClientConfiguration(string? kubeconfig, string? server, string? token, string? certificateAuthority)
    {
        if (kubeconfig is not null)
        {
            if (server is not null || token is not null)
            {
                throw new ArgumentException("give either --kubeconfig or --server with --token, not both");
            }

            return KubeconfigFile.Load(kubeconfig);
        }

        if (server is null || token is null)
        {
            throw new ArgumentException("give --kubeconfig FILE, or --server URL with --token TOKEN");
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"--server {server} is not an https:// URL");
        }

        var config = new KubernetesClientConfiguration { Host = server, AccessToken = token };
        if (certificateAuthority is not null)
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(certificateAuthority);
            if (certificates.Count == 0)
            {
                throw new ArgumentException($"--certificate-authority {certificateAuthority} holds no certificate");
            }

            config.SslCaCerts = certificates;
        }

        return config;
    }
}

/// <summary>The node flags shared by <c>cetus agent</c> and <c>cetus up</c>.</summary>
internal sealed class NodeFlags
{
    private readonly Option<string?> _nodeName = new("--node-name") { Description = "The node's name. Default: the host name, lowercased." };
    private readonly Option<string> _runtimeEndpoint = new("--container-runtime-endpoint") { Description = "The CRI runtime's socket.", DefaultValueFactory = _ => AgentRunner.DefaultRuntimeEndpoint };
    private readonly Option<string> _containerLogMaxSize = new("--container-log-max-size") { Description = "Rotate a container's log once it reaches this size (a quantity such as 10Mi).", DefaultValueFactory = _ => "10Mi" };
    private readonly Option<string?> _allowedUnsafeSysctls = new("--allowed-unsafe-sysctls") { Description = "Comma-separated unsafe sysctls or sysctl patterns (ending in *) pods may set besides the safe set, e.g. 'kernel.msg*,net.core.somaxconn'. Use at your own risk." };
    private readonly Option<int> _imageGCHigh = new("--image-gc-high-threshold") { Description = "The percent of disk usage of the image filesystem at or above which image garbage collection runs (100 disables it).", DefaultValueFactory = _ => 85 };
    private readonly Option<int> _imageGCLow = new("--image-gc-low-threshold") { Description = "The percent of disk usage of the image filesystem image garbage collection frees down to; at most --image-gc-high-threshold.", DefaultValueFactory = _ => 80 };
    private readonly Option<string> _imageMinimumGCAge = new("--image-minimum-gc-age") { Description = "The minimum age of an unused image before it is garbage collected (a duration such as 2m).", DefaultValueFactory = _ => "2m0s" };
    private readonly Option<int> _kubeletPort = new("--kubelet-port") { Description = "The port of the kubelet's HTTPS server (logs, exec, attach, port-forward for the API server), on the node IP.", DefaultValueFactory = _ => 10250 };

    private NodeFlags()
    {
    }

    /// <summary>New flags.</summary>
    public static NodeFlags Create() => new();

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_nodeName);
        command.Options.Add(_runtimeEndpoint);
        command.Options.Add(_kubeletPort);
        command.Options.Add(_containerLogMaxSize);
        command.Options.Add(_allowedUnsafeSysctls);
        command.Options.Add(_imageGCHigh);
        command.Options.Add(_imageGCLow);
        command.Options.Add(_imageMinimumGCAge);
        command.Validators.Add(result =>
        {
            // The validator sees only the options given; the others keep their defaults.
            var minAge = result.GetResult(_imageMinimumGCAge)?.GetValueOrDefault<string>() ?? "2m0s";
            var gc = ImageGC(result.GetResult(_imageGCHigh)?.GetValueOrDefault<int>() ?? 85, result.GetResult(_imageGCLow)?.GetValueOrDefault<int>() ?? 80, minAge);
            if (TokenCommand.ParseDuration(minAge) is null)
            {
                result.AddError($"--image-minimum-gc-age: {minAge} is not a duration (e.g. 2m)");
            }
            else if (gc.Validate() is { } invalid)
            {
                result.AddError(invalid);
            }

            if (result.GetResult(_allowedUnsafeSysctls) is { } sysctls)
            {
                try
                {
                    _ = new Cetus.Kubelet.Pods.SysctlAdmission(Sysctls(sysctls.GetValueOrDefault<string?>()));
                }
                catch (ArgumentException e)
                {
                    result.AddError("--allowed-unsafe-sysctls: " + e.Message.Split(" (Parameter", 2)[0]);
                }
            }

            if (result.GetResult(_containerLogMaxSize) is { } given && LogMaxSize(given.GetValueOrDefault<string>()) is null)
            {
                result.AddError($"--container-log-max-size: {given.GetValueOrDefault<string>()} is not a size of at least 1Ki (e.g. 10Mi)");
            }
        });
    }

    private static Cetus.Kubelet.Images.ImageGCPolicy ImageGC(int high, int low, string? minAge) =>
        new() { HighThresholdPercent = high, LowThresholdPercent = low, MinAge = TokenCommand.ParseDuration(minAge ?? string.Empty) ?? TimeSpan.FromMinutes(2) };

    private static string[] Sysctls(string? text) => (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static long? LogMaxSize(string? text)
    {
        try
        {
            var bytes = new k8s.Models.ResourceQuantity(text).ToInt64();
            return bytes >= 1024 ? bytes : null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The agent's settings.</summary>
    public AgentSettings Read(ParseResult parseResult, string rootDir, string nodeIP) =>
        new(parseResult.GetValue(_nodeName) ?? AgentRunner.DefaultNodeName(), parseResult.GetValue(_runtimeEndpoint)!, rootDir, nodeIP) { KubeletPort = parseResult.GetValue(_kubeletPort), ContainerLogMaxSize = LogMaxSize(parseResult.GetValue(_containerLogMaxSize)) ?? 10 * 1024 * 1024, AllowedUnsafeSysctls = Sysctls(parseResult.GetValue(_allowedUnsafeSysctls)), ImageGC = ImageGC(parseResult.GetValue(_imageGCHigh), parseResult.GetValue(_imageGCLow), parseResult.GetValue(_imageMinimumGCAge)) };
}
