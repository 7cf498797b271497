namespace Cetus.Api.Patching;

/// <summary>What strategic merge patch needs to know about one field of a model type.</summary>
/// <param name="Value">The metadata of the field's value; for a list, of one item.</param>
/// <param name="IsList">Whether the field is a list.</param>
/// <param name="Tag">The field's patch tags.</param>
public sealed record PatchField(PatchMeta Value, bool IsList, PatchTag Tag);
