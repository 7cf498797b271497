using Cetus.Api.Resources;
using Cetus.Api.Scheme;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources;

/// <summary>Runs a kind's strategy the way the API server does: prepare, default, validate.</summary>
internal static class StrategyRun
{
    public static IResourceStrategy For<T>()
        where T : class, IKubernetesObject<V1ObjectMeta> => Strategies.For<T>();

    /// <summary>PrepareForCreate, Default, ValidateCreate; returns the messages.</summary>
    public static IReadOnlyList<string> Create<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var strategy = For<T>();
        strategy.PrepareForCreate(item);
        strategy.Default(item);
        return strategy.ValidateCreate(item).Select(e => e.Message).ToList();
    }

    /// <summary>PrepareForUpdate, Default, ValidateUpdate; returns the messages.</summary>
    public static IReadOnlyList<string> Update<T>(T item, T old)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var strategy = For<T>();
        strategy.PrepareForUpdate(item, old);
        strategy.Default(item);
        return strategy.ValidateUpdate(item, old).Select(e => e.Message).ToList();
    }

    /// <summary>PrepareForStatusUpdate, Default, ValidateUpdate; returns the messages.</summary>
    public static IReadOnlyList<string> UpdateStatus<T>(T item, T old)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var strategy = For<T>();
        strategy.PrepareForStatusUpdate(item, old);
        strategy.Default(item);
        return strategy.ValidateUpdate(item, old).Select(e => e.Message).ToList();
    }

    /// <summary>Creates <paramref name="item"/> and asserts it is valid, so it can serve as the old object of an update.</summary>
    public static T Created<T>(T item)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        Assert.Empty(Create(item));
        item.Metadata.ResourceVersion = "1";
        item.Metadata.Uid = "0b7c9f4e-5d1a-4a57-9d6f-000000000001";
        return item;
    }

    /// <summary>A deep copy, for editing the new object of an update.</summary>
    public static T Copy<T>(T item) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(item));
}
