using System.CommandLine;
using System.Globalization;
using Cetus.Scheduler.Decisions;

namespace Cetus.Commands;

/// <summary>
/// <c>cetus explain pod NAME [-n NAMESPACE]</c>: the scheduler's whole decision for the pod's last scheduling attempt —
/// each node a filter rejected and why, each feasible node's score from every Score plugin and the total — read
/// through the API server (<c>/debug/scheduler/pods/NAMESPACE/NAME</c>, also <c>kubectl get --raw</c>).
/// </summary>
internal static class ExplainCommand
{
    /// <summary>Adds the <c>explain</c> subcommand.</summary>
    public static void AddTo(RootCommand root)
    {
        Option<string> kubeconfig = new("--kubeconfig") { Description = "An administrator's kubeconfig.", DefaultValueFactory = _ => "/var/lib/cetus/admin.kubeconfig", Recursive = true };
        Command explain = new("explain", "Explain a scheduling decision.") { kubeconfig };

        Argument<string> name = new("NAME") { Description = "The pod." };
        Option<string> ns = new("--namespace", "-n") { Description = "The pod's namespace.", DefaultValueFactory = _ => "default" };
        Option<string> output = new("--output", "-o") { Description = "text (default) or json.", DefaultValueFactory = _ => "text" };
        Option<int> limit = new("--limit") { Description = "At most this many rejected nodes and scored nodes are listed in text (0: all).", DefaultValueFactory = _ => 20 };
        Command pod = new("pod", "Why the scheduler placed a pod where it did, or why it could not place it.") { name, ns, output, limit };
        pod.SetAction(async (parseResult, cancellationToken) =>
        {
            var format = parseResult.GetValue(output)!;
            if (format is not ("text" or "json"))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"cetus: unknown --output {format}: use text or json").ConfigureAwait(false);
                return 1;
            }

            var podName = parseResult.GetValue(name)!;
            var podNamespace = parseResult.GetValue(ns)!;
            return await AdminClient.RunAsync(parseResult.GetValue(kubeconfig)!, parseResult.InvocationConfiguration.Error, async client =>
            {
                var json = await AdminClient.GetAsync(client, $"/debug/scheduler/pods/{Uri.EscapeDataString(podNamespace)}/{Uri.EscapeDataString(podName)}", cancellationToken).ConfigureAwait(false);
                var writer = parseResult.InvocationConfiguration.Output;
                if (format == "json")
                {
                    await writer.WriteLineAsync(System.Text.Encoding.UTF8.GetString(json)).ConfigureAwait(false);
                    return;
                }

                var decision = SchedulingDecision.FromJson(json) ?? throw new InvalidDataException("the API server sent an empty decision");
                await writer.WriteAsync(Format(decision, parseResult.GetValue(limit))).ConfigureAwait(false);
            }).ConfigureAwait(false);
        });

        explain.Subcommands.Add(pod);
        root.Subcommands.Add(explain);
    }

    /// <summary>The decision as text for a terminal.</summary>
    public static string Format(SchedulingDecision decision, int limit)
    {
        var text = new System.Text.StringBuilder();
        var at = decision.Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        text.AppendLine(CultureInfo.InvariantCulture, $"Pod {decision.Namespace}/{decision.Name} (uid {decision.Uid}): last attempt at {at} by {decision.SchedulerName}");
        text.AppendLine(decision.Result switch
        {
            "Scheduled" => $"Result: scheduled on {decision.Node}",
            "Unschedulable" => $"Result: unschedulable: {decision.Message}",
            _ => $"Result: error: {decision.Message}",
        });
        var counts = decision.Nodes;
        text.Append(CultureInfo.InvariantCulture, $"Nodes: {counts.Total} in the cluster, {counts.Evaluated} evaluated, {counts.Feasible} feasible");
        text.AppendLine(counts.NotEvaluated > 0 ? $", {counts.NotEvaluated} not evaluated (enough feasible nodes were found: percentageOfNodesToScore)" : string.Empty);
        if (decision.Note is { } note)
        {
            text.AppendLine("Note: " + note);
        }

        if (decision.ExcludedByPreFilter is { } excluded)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Excluded by PreFilter {excluded.Plugin}: {excluded.Count} node(s): {string.Join(", ", excluded.Reasons)}");
        }

        if (decision.Filtered.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Filtered out ({decision.Filtered.Count}):");
            var shown = Take(decision.Filtered, limit);
            var rows = shown.Select(f => new[] { f.Node, f.Plugin, string.Join(", ", f.Reasons) + (f.Code == "UnschedulableAndUnresolvable" ? " (preemption cannot help)" : string.Empty) }).ToList();
            AppendTable(text, ["NODE", "PLUGIN", "REASON"], rows);
            More(text, decision.Filtered.Count - shown.Count);
        }

        if (decision.Scores.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Scores ({decision.Scores.Count} feasible nodes, highest first; each plugin's score 0-100 × its weight):");
            var shown = Take(decision.Scores, limit);
            foreach (var node in shown)
            {
                var chosen = node.Node == decision.Node && decision.Result == "Scheduled" ? " (chosen)" : string.Empty;
                text.AppendLine(CultureInfo.InvariantCulture, $"  {node.Node}{chosen}: total {node.Total}");
                var width = node.Plugins.Count == 0 ? 0 : node.Plugins.Max(p => p.Plugin.Length);
                foreach (var plugin in node.Plugins)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"    {plugin.Plugin.PadRight(width)}  {plugin.Score,3} × {plugin.Weight} = {plugin.Weighted}");
                }
            }

            More(text, decision.Scores.Count - shown.Count);
        }

        if (decision.NominatedNode is { } nominated)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Preemption: nominated {nominated}; the pod waits there for its victims to go");
        }
        else if (decision.Preemption is { } preemption)
        {
            text.AppendLine();
            text.AppendLine("Preemption: " + preemption);
        }

        return text.ToString();
    }

    private static List<T> Take<T>(List<T> items, int limit) => limit > 0 ? items.Take(limit).ToList() : items;

    private static void More(System.Text.StringBuilder text, int hidden)
    {
        if (hidden > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  … and {hidden} more (--limit 0 or -o json shows all)");
        }
    }

    private static void AppendTable(System.Text.StringBuilder text, string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            text.Append("  ");
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.AppendLine();
        }
    }
}
