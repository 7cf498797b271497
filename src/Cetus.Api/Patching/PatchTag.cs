namespace Cetus.Api.Patching;

/// <summary>
/// One field's struct tags from k8s.io/api: <c>patchStrategy:"merge,retainKeys" patchMergeKey:"name"</c>.
/// </summary>
/// <param name="Strategy">The list strategy part of <c>patchStrategy</c>.</param>
/// <param name="RetainKeys">Whether <c>patchStrategy</c> includes <c>retainKeys</c>, which lets clients send
/// <c>$retainKeys</c> to clear fields they no longer set (a one-of such as a volume source or a deployment strategy).</param>
/// <param name="MergeKey">The <c>patchMergeKey</c>: the item field that identifies a list item; null for lists of primitives.</param>
public sealed record PatchTag(PatchStrategy Strategy, bool RetainKeys, string? MergeKey)
{
    /// <summary>A field without patch tags.</summary>
    public static PatchTag None { get; } = new(PatchStrategy.Default, RetainKeys: false, MergeKey: null);
}
