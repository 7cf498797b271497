using Cetus.Scheduler.Config;
using Cetus.Scheduler.Framework;
using Xunit;

namespace Cetus.Scheduler.Tests.Framework;

public sealed class ProfileBuilderTests
{
    private static readonly PluginContext Context = new(new FakeSchedulerClient());

    [Fact]
    public void Default_IsKubernetesDefaultProfile()
    {
        var profile = Assert.Single(ProfileBuilder.Build(null, PluginRegistry.InTree(), Context));

        Assert.Equal("default-scheduler", profile.SchedulerName);
        Assert.Equal("PrioritySort", profile.QueueSort.Name);
        Assert.Equal(["SchedulingGates"], profile.PreEnqueue.Select(p => p.Name));
        Assert.Equal(["NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit", "PodTopologySpread", "InterPodAffinity"], profile.Filter.Select(p => p.Name));
        Assert.Equal(["TaintToleration:3", "NodeAffinity:2", "NodeResourcesFit:1", "PodTopologySpread:2", "InterPodAffinity:2", "NodeResourcesBalancedAllocation:1"], profile.Score.Select(s => $"{s.Plugin.Name}:{s.Weight}"));
        Assert.Equal(["DefaultPreemption"], profile.PostFilter.Select(p => p.Name));
        Assert.Equal(["DefaultBinder"], profile.Bind.Select(p => p.Name));
    }

    [Fact]
    public void Configuration_DisablesEnablesAndWeighs()
    {
        var configuration = SchedulerConfiguration.Parse("""
            percentageOfNodesToScore: 30
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: no-balance
              percentageOfNodesToScore: 70
              plugins:
                multiPoint:
                  disabled: [{name: NodeResourcesBalancedAllocation}]
                filter:
                  disabled: [{name: "*"}]
                  enabled: [{name: NodeResourcesFit}]
                score:
                  enabled: [{name: TaintToleration, weight: 7}]
            """);

        var profiles = ProfileBuilder.Build(configuration, PluginRegistry.InTree(), Context);

        Assert.Equal(30, profiles[0].PercentageOfNodesToScore);
        Assert.Equal(70, profiles[1].PercentageOfNodesToScore);
        Assert.Equal(["NodeResourcesFit"], profiles[1].Filter.Select(p => p.Name));
        Assert.Equal(["NodeAffinity:2", "NodeResourcesFit:1", "PodTopologySpread:2", "InterPodAffinity:2", "TaintToleration:7"], profiles[1].Score.Select(s => $"{s.Plugin.Name}:{s.Weight}"));
    }

    [Theory]
    [InlineData("profiles: [{plugins: {score: {enabled: [{name: NoSuchPlugin}]}}}]", "plugin \"NoSuchPlugin\" does not exist")]
    [InlineData("profiles: [{plugins: {filter: {enabled: [{name: DefaultBinder}]}}}]", "plugin \"DefaultBinder\" does not extend Filter plugin")]
    [InlineData("profiles: [{plugins: {queueSort: {disabled: [{name: \"*\"}]}}}]", "needs exactly one queueSort plugin")]
    [InlineData("profiles: [{schedulerName: a}, {schedulerName: a}]", "duplicate profile")]
    [InlineData("percentageOfNodesToScore: 101", "percentageOfNodesToScore 101")]
    public void Configuration_Invalid(string yaml, string error)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ProfileBuilder.Build(SchedulerConfiguration.Parse(yaml), PluginRegistry.InTree(), Context));

        Assert.Contains(error, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_RefusesDuplicates() =>
        Assert.Throws<InvalidOperationException>(() => PluginRegistry.InTree().Register("NodeName", _ => new Cetus.Scheduler.Plugins.NodeName.NodeName()));

    [Fact]
    public void Project_DoesNotReferenceStorageOrApiServer()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Cetus.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Cetus.slnx not found");
        }

        var project = File.ReadAllText(Path.Combine(root, "src/Cetus.Scheduler/Cetus.Scheduler.csproj"));

        Assert.DoesNotContain("Cetus.Storage", project, StringComparison.Ordinal);
        Assert.DoesNotContain("Cetus.ApiServer", project, StringComparison.Ordinal);
    }
}
