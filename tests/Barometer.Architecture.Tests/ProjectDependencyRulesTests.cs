using System.Xml.Linq;

namespace Barometer.Architecture.Tests;

/// <summary>
/// The dependency rules of docs/ARCHITECTURE.md: arrows point inward to Core; venues, simulation,
/// analytics and storage do not know each other; only Server and Cli wire concrete pieces.
/// </summary>
public sealed class ProjectDependencyRulesTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Barometer.Core"] = [],
        ["Barometer.Venues"] = ["Barometer.Core"],
        ["Barometer.Simulation"] = ["Barometer.Core"],
        ["Barometer.Analytics"] = ["Barometer.Core"],
        ["Barometer.Storage"] = ["Barometer.Core"],
        ["Barometer.Server"] = ["Barometer.Core", "Barometer.Analytics", "Barometer.Storage", "Barometer.Venues"],
        ["Barometer.Tui"] = ["Barometer.Core", "Barometer.Analytics"],
        ["Barometer.Cli"] = ["Barometer.Core", "Barometer.Venues", "Barometer.Simulation", "Barometer.Analytics", "Barometer.Storage", "Barometer.Server", "Barometer.Tui"],
    };

    public static TheoryData<string> SourceProjects() => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Source_project_references_only_what_the_rules_allow(string project)
    {
        var references = ProjectReferences(project);
        var forbidden = references.Where(r => !Allowed[project].Contains(r)).ToList();
        Assert.True(forbidden.Count == 0, $"{project} references {string.Join(", ", forbidden)}, which the dependency rules forbid");
    }

    [Fact]
    public void Every_source_project_is_covered_by_a_rule()
    {
        var projects = Directory.GetDirectories(Path.Combine(RepositoryRoot(), "src")).Select(Path.GetFileName).ToList();
        Assert.All(projects, p => Assert.True(Allowed.ContainsKey(p!), $"src/{p} has no dependency rule"));
    }

    [Fact]
    public void The_rule_check_detects_a_forbidden_reference()
    {
        // The check itself must be able to fail: Venues → Analytics is forbidden.
        Assert.DoesNotContain("Barometer.Analytics", Allowed["Barometer.Venues"]);
        Assert.Contains("Barometer.Core", ProjectReferences("Barometer.Venues"));
    }

    private static List<string> ProjectReferences(string project)
    {
        string path = Path.Combine(RepositoryRoot(), "src", project, project + ".csproj");
        return XDocument.Load(path).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Barometer.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root (Barometer.slnx) not found");
    }
}
