using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Cetus.Api.Json;
using Cetus.Api.Resources;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Json;

public sealed class ModelTypeInfoResolverTests
{
    [Fact]
    public void EveryBuiltInKindAndList_IsServedByTheContextsOwnFactory()
    {
        var registry = BuiltInResources.Create();
        var missing = registry.All
            .SelectMany(r => new[] { r.Type, r.ListType })
            .Concat([typeof(V1Status), typeof(V1DeleteOptions), typeof(V1WatchEvent), typeof(IList<V1Container>), typeof(IDictionary<string, string>), typeof(IDictionary<string, ResourceQuantity>), typeof(byte[]), typeof(int?), typeof(string)])
            .Distinct()
            .Where(t => ModelTypeInfoResolver.FindFactory(t) is null)
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void ATypeNamedLikeAModel_IsNotTakenForIt()
    {
        // Same generated name (V1Pod), other type: the return-type check sends it to reflection.
        Assert.Null(ModelTypeInfoResolver.FindFactory(typeof(V1Pod_)));
        Assert.Null(ModelTypeInfoResolver.FindFactory(typeof(Other.V1Pod)));

        var json = JsonSerializer.Serialize(new Other.V1Pod { Note = "x" }, KubeJson.Options);
        Assert.Equal("""{"note":"x"}""", json);
    }

    [Fact]
    public void ModelsAndAnonymousBodies_SerializeAsWithThePackagesOwnResolver()
    {
        var packageOptions = new JsonSerializerOptions(KubeJson.Options)
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()),
        };
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = "p",
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                CreationTimestamp = new DateTime(2026, 11, 28, 1, 2, 3, DateTimeKind.Utc),
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "rs", Uid = "uid-1", Controller = true }],
            },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container
                {
                    Name = "c",
                    Image = "busybox",
                    Ports = [new V1ContainerPort { ContainerPort = 80, Protocol = "TCP" }],
                    Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } },
                    LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "http" }, PeriodSeconds = 5 },
                }],
                TerminationGracePeriodSeconds = 30,
            },
            Status = new V1PodStatus { Phase = "Running", PodIPs = [new V1PodIP { Ip = "10.42.0.5" }] },
        };
        var patch = new { status = new { conditions = new[] { new V1PodCondition { Status = "True", Type = "Ready" } } } };

        Assert.Equal(JsonSerializer.Serialize(pod, packageOptions), JsonSerializer.Serialize(pod, KubeJson.Options));
        Assert.Equal(JsonSerializer.Serialize(patch, packageOptions), JsonSerializer.Serialize(patch, KubeJson.Options));
        Assert.Contains("\"memory\":\"64Mi\"", JsonSerializer.Serialize(pod, KubeJson.Options), StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize<V1Pod>(JsonSerializer.Serialize(pod, KubeJson.Options), KubeJson.Options)!;
        Assert.Equal("http", (string?)back.Spec.Containers[0].LivenessProbe.HttpGet.Port);
        Assert.Equal(pod.Metadata.CreationTimestamp, back.Metadata.CreationTimestamp);
    }

    [Fact]
    public void UseIn_SetsTheResolver_UnlessTheOptionsAreInUse()
    {
        var fresh = new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
        ModelTypeInfoResolver.UseIn(fresh);
        Assert.Same(ModelTypeInfoResolver.Instance, fresh.TypeInfoResolver);
        Assert.Equal("""{"metadata":{"name":"n"}}""", JsonSerializer.Serialize(new V1Node { Metadata = new V1ObjectMeta { Name = "n" } }, fresh));

        var inUse = new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        inUse.MakeReadOnly();
        ModelTypeInfoResolver.UseIn(inUse);
        Assert.IsType<DefaultJsonTypeInfoResolver>(inUse.TypeInfoResolver);
    }

#pragma warning disable CA1812, SA1300 // instantiated by the serializer; the name is the point of the test
    private sealed class V1Pod_
    {
    }
#pragma warning restore CA1812, SA1300
}
