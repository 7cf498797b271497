using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Cetus.Scheduler.Config;

/// <summary>
/// The subset of kube-scheduler's KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) that Cetus reads from
/// <c>--config</c>: profiles with plugins enabled and disabled per extension point (and multiPoint), score weights
/// and percentageOfNodesToScore. Other fields (leaderElection, clientConnection, pluginConfig…) are ignored.
/// </summary>
public sealed class SchedulerConfiguration
{
    /// <summary>The share of nodes to find feasible before scoring (0: adaptive).</summary>
    public int? PercentageOfNodesToScore { get; set; }

    /// <summary>The profiles; none means the default profile alone.</summary>
    public List<ProfileConfiguration> Profiles { get; set; } = [];

    /// <summary>Reads a configuration file.</summary>
    public static SchedulerConfiguration Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>Parses YAML (or JSON).</summary>
    public static SchedulerConfiguration Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build();
        try
        {
            return deserializer.Deserialize<SchedulerConfiguration?>(yaml) ?? new SchedulerConfiguration();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"the scheduler configuration is not valid: {e.Message}", e);
        }
    }
}

/// <summary>One profile.</summary>
public sealed class ProfileConfiguration
{
    /// <summary>The name pods choose the profile by (spec.schedulerName).</summary>
    public string SchedulerName { get; set; } = SchedulerDefaults.SchedulerName;

    /// <summary>Overrides the top-level percentage for this profile.</summary>
    public int? PercentageOfNodesToScore { get; set; }

    /// <summary>Changes to the default plugins.</summary>
    public PluginsConfiguration? Plugins { get; set; }
}

/// <summary>The plugins per extension point.</summary>
public sealed class PluginsConfiguration
{
    /// <summary>Plugins enabled at every extension point they implement.</summary>
    public PluginSet? MultiPoint { get; set; }

    /// <summary>QueueSort.</summary>
    public PluginSet? QueueSort { get; set; }

    /// <summary>PreEnqueue.</summary>
    public PluginSet? PreEnqueue { get; set; }

    /// <summary>PreFilter.</summary>
    public PluginSet? PreFilter { get; set; }

    /// <summary>Filter.</summary>
    public PluginSet? Filter { get; set; }

    /// <summary>PostFilter.</summary>
    public PluginSet? PostFilter { get; set; }

    /// <summary>PreScore.</summary>
    public PluginSet? PreScore { get; set; }

    /// <summary>Score.</summary>
    public PluginSet? Score { get; set; }

    /// <summary>Reserve.</summary>
    public PluginSet? Reserve { get; set; }

    /// <summary>Permit.</summary>
    public PluginSet? Permit { get; set; }

    /// <summary>PreBind.</summary>
    public PluginSet? PreBind { get; set; }

    /// <summary>Bind.</summary>
    public PluginSet? Bind { get; set; }
}

/// <summary>Plugins to enable (in order, with weights for Score) and to disable ("*" disables all defaults).</summary>
public sealed class PluginSet
{
    /// <summary>Enabled plugins.</summary>
    public List<PluginEntry> Enabled { get; set; } = [];

    /// <summary>Disabled plugins.</summary>
    public List<PluginEntry> Disabled { get; set; } = [];
}

/// <summary>A plugin by name, with its score weight (0: the default weight).</summary>
public sealed class PluginEntry
{
    /// <summary>The plugin's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The score weight.</summary>
    public int Weight { get; set; }
}

/// <summary>Kubernetes' defaults.</summary>
public static class SchedulerDefaults
{
    /// <summary>The default profile's name.</summary>
    public const string SchedulerName = "default-scheduler";
}
