using Cetus.Scheduler.Config;

namespace Cetus.Scheduler.Framework;

/// <summary>
/// Builds profiles from the registry and a configuration, as kube-scheduler does: the default plugins are enabled at
/// every extension point they implement (multiPoint), then each extension point's disabled and enabled lists apply.
/// </summary>
internal static class ProfileBuilder
{
    /// <summary>
    /// Kubernetes' default profile (upstream getDefaultPlugins), limited to the plugins Cetus has, in upstream's
    /// order, with upstream's score weights.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, int Weight)> DefaultPlugins =
    [
        (Plugins.SchedulingGates.SchedulingGates.PluginName, 0),
        (Plugins.PrioritySort.PrioritySort.PluginName, 0),
        (Plugins.NodeUnschedulable.NodeUnschedulable.PluginName, 0),
        (Plugins.NodeName.NodeName.PluginName, 0),
        (Plugins.TaintToleration.TaintToleration.PluginName, 3),
        (Plugins.NodeAffinity.NodeAffinity.PluginName, 2),
        (Plugins.NodePorts.NodePorts.PluginName, 0),
        (Plugins.NodeResourcesFit.NodeResourcesFit.PluginName, 1),
        (Plugins.PodTopologySpread.PodTopologySpread.PluginName, 2),
        (Plugins.InterPodAffinity.InterPodAffinity.PluginName, 2),
        (Plugins.DefaultPreemption.DefaultPreemption.PluginName, 0),
        (Plugins.NodeResourcesBalancedAllocation.NodeResourcesBalancedAllocation.PluginName, 1),
        (Plugins.DefaultBinder.DefaultBinder.PluginName, 0),
    ];

    /// <summary>The profiles of a configuration (the default profile when it names none).</summary>
    public static IReadOnlyList<Profile> Build(SchedulerConfiguration? configuration, PluginRegistry registry, PluginContext context)
    {
        var profiles = configuration?.Profiles is { Count: > 0 } some ? some : [new ProfileConfiguration()];
        context = context.WaitingPods is null ? context with { WaitingPods = new WaitingPods() } : context;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var built = new List<Profile>();
        foreach (var profile in profiles)
        {
            if (!names.Add(profile.SchedulerName))
            {
                throw new InvalidOperationException($"duplicate profile with scheduler name \"{profile.SchedulerName}\"");
            }

            built.Add(Build(profile, configuration?.PercentageOfNodesToScore, registry, context));
        }

        return built;
    }

    private static Profile Build(ProfileConfiguration configuration, int? percentage, PluginRegistry registry, PluginContext context)
    {
        var instances = new Dictionary<string, IPlugin>(StringComparer.Ordinal);
        IPlugin Instance(string name)
        {
            if (!instances.TryGetValue(name, out var plugin))
            {
                plugin = registry.Create(name, context);
                instances[name] = plugin;
            }

            return plugin;
        }

        var multiPoint = DefaultPlugins.ToList();
        Apply(multiPoint, configuration.Plugins?.MultiPoint, registry);
        var plugins = configuration.Plugins;

        List<(T Plugin, int Weight)> Point<T>(string point, PluginSet? set)
            where T : class, IPlugin
        {
            var list = multiPoint.Where(p => Instance(p.Name) is T).ToList();
            Apply(list, set, registry);
            var result = new List<(T, int)>();
            foreach (var (name, weight) in list)
            {
                if (Instance(name) is not T plugin)
                {
                    throw new InvalidOperationException($"plugin \"{name}\" does not extend {point} plugin");
                }

                result.Add((plugin, weight == 0 ? 1 : weight));
            }

            return result;
        }

        var queueSort = Point<IQueueSortPlugin>("QueueSort", plugins?.QueueSort);
        if (queueSort.Count != 1)
        {
            throw new InvalidOperationException($"profile \"{configuration.SchedulerName}\" needs exactly one queueSort plugin, it has {queueSort.Count}");
        }

        var bind = Point<IBindPlugin>("Bind", plugins?.Bind);
        if (bind.Count == 0)
        {
            throw new InvalidOperationException($"profile \"{configuration.SchedulerName}\" needs at least one bind plugin");
        }

        var pct = configuration.PercentageOfNodesToScore ?? percentage;
        if (pct is < 0 or > 100)
        {
            throw new InvalidOperationException($"percentageOfNodesToScore {pct} is not in [0, 100]");
        }

        return new Profile
        {
            SchedulerName = configuration.SchedulerName,
            QueueSort = queueSort[0].Plugin,
            PreEnqueue = [.. Point<IPreEnqueuePlugin>("PreEnqueue", plugins?.PreEnqueue).Select(p => p.Plugin)],
            PreFilter = [.. Point<IPreFilterPlugin>("PreFilter", plugins?.PreFilter).Select(p => p.Plugin)],
            Filter = [.. Point<IFilterPlugin>("Filter", plugins?.Filter).Select(p => p.Plugin)],
            PostFilter = [.. Point<IPostFilterPlugin>("PostFilter", plugins?.PostFilter).Select(p => p.Plugin)],
            PreScore = [.. Point<IPreScorePlugin>("PreScore", plugins?.PreScore).Select(p => p.Plugin)],
            Score = Point<IScorePlugin>("Score", plugins?.Score),
            Reserve = [.. Point<IReservePlugin>("Reserve", plugins?.Reserve).Select(p => p.Plugin)],
            Permit = [.. Point<IPermitPlugin>("Permit", plugins?.Permit).Select(p => p.Plugin)],
            PreBind = [.. Point<IPreBindPlugin>("PreBind", plugins?.PreBind).Select(p => p.Plugin)],
            Bind = [.. bind.Select(p => p.Plugin)],
            PercentageOfNodesToScore = pct,
            WaitingPods = context.WaitingPods!,
        };
    }

    /// <summary>Disabled first ("*" removes every default), then enabled (a plugin enabled again moves to the end with its new weight).</summary>
    private static void Apply(List<(string Name, int Weight)> list, PluginSet? set, PluginRegistry registry)
    {
        if (set is null)
        {
            return;
        }

        foreach (var disabled in set.Disabled)
        {
            if (disabled.Name == "*")
            {
                list.Clear();
            }
            else
            {
                list.RemoveAll(p => p.Name == disabled.Name);
            }
        }

        foreach (var enabled in set.Enabled)
        {
            if (!registry.Contains(enabled.Name))
            {
                throw new InvalidOperationException($"plugin \"{enabled.Name}\" does not exist");
            }

            if (enabled.Weight < 0)
            {
                throw new InvalidOperationException($"plugin \"{enabled.Name}\" has a negative weight {enabled.Weight}");
            }

            var index = list.FindIndex(p => p.Name == enabled.Name);
            var weight = enabled.Weight != 0 ? enabled.Weight : index >= 0 ? list[index].Weight : 0;
            if (index >= 0)
            {
                list.RemoveAt(index);
            }

            list.Add((enabled.Name, weight));
        }
    }
}
