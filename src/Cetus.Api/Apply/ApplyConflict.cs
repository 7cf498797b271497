namespace Cetus.Api.Apply;

/// <summary>A field an apply would change that another manager owns.</summary>
/// <param name="Manager">The owning manager, as named in its managedFields entry.</param>
/// <param name="Field">The field as upstream prints it, e.g. <c>.spec.replicas</c> or
/// <c>.spec.template.spec.containers[name="app"].image</c>.</param>
public sealed record ApplyConflict(string Manager, string Field);
