using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Cetus.ApiServer.Security;
using Cetus.Kubelet.Node;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus up</c>: the whole cluster on this machine in one process, like k3s server: the control plane of
/// <c>cetus server</c> plus a local agent whose kubelet talks to the API server over HTTPS as the node itself
/// (client certificate CN=system:node:NAME, O=system:nodes, so the node authorizer and NodeRestriction apply).
/// </summary>
internal static class UpCommand
{
    /// <summary>Adds the <c>up</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        var server = new ServerFlags();
        var node = NodeFlags.Create();
        Option<string?> nodeIP = new("--node-ip") { Description = "The node's InternalIP. Default: the host's first non-loopback IPv4 address (127.0.0.1 when none)." };
        Command command = new("up", "Run a one-node cluster: the control plane and a local node (kubelet on containerd over CRI) in one process.") { nodeIP };
        server.AddTo(command);
        node.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var settings = server.Read(parseResult);
            var agent = node.Read(parseResult, Path.Combine(settings.DataDir, "agent"), parseResult.GetValue(nodeIP) ?? MachineInfo.FirstHostIPv4());
            // Pods reach the API server through the kubernetes Service: its Endpoints hold the node's address.
            settings = settings with { AdvertiseAddress = settings.AdvertiseAddress ?? agent.NodeIP };

            // The runtime is asked while the API server starts; without it there is no node, so nothing keeps running
            // (and without its socket nothing starts).
            if (!AgentRunner.SocketExists(agent.RuntimeEndpoint))
            {
                using var none = await AgentRunner.ConnectAsync(agent.RuntimeEndpoint, error, cancellationToken).ConfigureAwait(false);
                return 1;
            }

            var connecting = AgentRunner.ConnectAsync(agent.RuntimeEndpoint, error, cancellationToken);
            output.WriteLine("cetus: starting API server…");
            await using var controlPlane = await ControlPlane.StartAsync(settings, output, error, cancellationToken).ConfigureAwait(false);
            using var runtime = await connecting.ConfigureAwait(false);
            if (controlPlane is null || runtime is null)
            {
                return 1;
            }

            var kubeconfig = controlPlane.WriteClientKubeconfig(Path.Combine("agent", "kubelet.kubeconfig"), "system:node:" + agent.NodeName, ["system:nodes"]);
            output.WriteLine($"cetus: starting node {agent.NodeName} (runtime {agent.RuntimeEndpoint}, kubeconfig {kubeconfig})");
            using var client = ControllerManagerCommand.CreateClient(kubeconfig);
            // The kubelet's serving certificate, from the cluster CA, for the addresses the API server dials.
            var issued = controlPlane.Pki.IssueServingCertificate("system:node:" + agent.NodeName, [agent.NodeIP, agent.NodeName, System.Net.Dns.GetHostName(), "localhost", "127.0.0.1"], ClusterPki.LeafLifetime);
            using var servingCertificate = X509Certificate2.CreateFromPem(issued.CertificatePem, issued.KeyPem);
            var code = await AgentRunner.RunAsync(
                client,
                runtime,
                agent,
                new KubeletServing(servingCertificate, controlPlane.Pki.CaCertificate),
                output,
                error,
                () => output.WriteLine($"cetus: ready: kubectl --kubeconfig {controlPlane.AdminKubeconfig} get pods -A"),
                cancellationToken).ConfigureAwait(false);
            output.WriteLine("cetus: stopping");
            return code;
        });
        root.Subcommands.Add(command);
    }
}
