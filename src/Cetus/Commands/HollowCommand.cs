using System.CommandLine;
using System.Diagnostics;
using Cetus.Kubelet.Hollow;
using k8s.Models;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus hollow --kubeconfig FILE --nodes N</c>: N simulated nodes in this process (Kubernetes' kubemark / KWOK),
/// each registering its Node and Lease and running the pods bound to it on an in-memory fake runtime.
/// For now the nodes act with the kubeconfig's identity; per-node identities come with the node authorizer.
/// </summary>
internal static class HollowCommand
{
    /// <summary>Adds the <c>hollow</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string> kubeconfig = new("--kubeconfig") { Description = "The kubeconfig to reach the API server with.", Required = true };
        Option<int> nodes = new("--nodes") { Description = "How many simulated nodes.", DefaultValueFactory = _ => 1 };
        Option<string> cpu = new("--cpu") { Description = "Each node's cpu capacity.", DefaultValueFactory = _ => "4" };
        Option<string> memory = new("--memory") { Description = "Each node's memory capacity.", DefaultValueFactory = _ => "16Gi" };
        Option<string> pods = new("--pods") { Description = "Each node's pod capacity.", DefaultValueFactory = _ => "110" };
        Option<string> labels = new("--labels") { Description = "Node labels: k=v,k2=v2." };
        Option<string> taints = new("--taints") { Description = "Node taints: k=v:Effect,k2:Effect." };
        Option<string> prefix = new("--name-prefix") { Description = "Node name prefix (nodes are PREFIX0, PREFIX1, ...).", DefaultValueFactory = _ => "hollow-" };
        Option<bool> runPods = new("--run-pods") { Description = "Whether the nodes run the pods bound to them; with --run-pods false they only register, stay Ready and renew their Leases (as scheduler_perf's nodes): bound pods stay Pending.", DefaultValueFactory = _ => true };
        Command command = new("hollow", "Run N simulated nodes (fake container runtime) against an API server, for scale tests.") { kubeconfig, nodes, cpu, memory, pods, labels, taints, prefix, runPods };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            HollowOptions options;
            try
            {
                options = new HollowOptions
                {
                    Nodes = parseResult.GetValue(nodes),
                    NamePrefix = parseResult.GetValue(prefix)!,
                    Capacity = new Dictionary<string, ResourceQuantity>
                    {
                        ["cpu"] = new(parseResult.GetValue(cpu)!),
                        ["memory"] = new(parseResult.GetValue(memory)!),
                        ["pods"] = new(parseResult.GetValue(pods)!),
                        ["ephemeral-storage"] = new("100Gi"),
                    },
                    Labels = ParseLabels(parseResult.GetValue(labels)),
                    Taints = ParseTaints(parseResult.GetValue(taints)),
                    RunPods = parseResult.GetValue(runPods),
                };
                foreach (var quantity in options.Capacity.Values)
                {
                    _ = quantity.ToDecimal();
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("cetus hollow: " + e.Message).ConfigureAwait(false);
                return 2;
            }

            using var client = ControllerManagerCommand.CreateClient(parseResult.GetValue(kubeconfig)!);
            using var loggers = ControllerManagerCommand.CreateLoggers();
            await using var hollow = new HollowNodes(client, options, loggers: loggers);
            var clock = Stopwatch.StartNew();
            var step = Math.Max(1, options.Nodes / 10);
            output.WriteLine($"cetus: hollow: {options.Nodes} nodes against {client.BaseUri}{(options.RunPods ? string.Empty : " (not running their pods)")}");
            try
            {
                await hollow.RunAsync(
                    (done, total) =>
                    {
                        if (done % step == 0 || done == total)
                        {
                            var rss = Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024);
                            output.WriteLine($"cetus: hollow: registered {done}/{total} nodes in {clock.Elapsed.TotalSeconds:F1} s (RSS {rss} MB)");
                        }
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        root.Subcommands.Add(command);
    }

    /// <summary>k=v,k2=v2 → a map.</summary>
    public static Dictionary<string, string> ParseLabels(string? text)
    {
        var labels = new Dictionary<string, string>();
        foreach (var pair in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"label \"{pair}\" is not KEY=VALUE");
            }

            labels[pair[..eq]] = pair[(eq + 1)..];
        }

        return labels;
    }

    /// <summary>k=v:Effect,k:Effect → taints (as kubelet's --register-with-taints).</summary>
    public static List<V1Taint> ParseTaints(string? text)
    {
        var taints = new List<V1Taint>();
        foreach (var item in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = item.LastIndexOf(':');
            var effect = colon > 0 ? item[(colon + 1)..] : string.Empty;
            if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            {
                throw new FormatException($"taint \"{item}\" is not KEY[=VALUE]:NoSchedule|PreferNoSchedule|NoExecute");
            }

            var keyValue = item[..colon];
            var eq = keyValue.IndexOf('=', StringComparison.Ordinal);
            taints.Add(new V1Taint { Key = eq < 0 ? keyValue : keyValue[..eq], Value = eq < 0 ? null : keyValue[(eq + 1)..], Effect = effect });
        }

        return taints;
    }
}
