using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class RecommendationEventsByResource : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_RecommendationEvents_ResourceId_AtUtc",
                table: "RecommendationEvents",
                columns: new[] { "ResourceId", "AtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RecommendationEvents_ResourceId_AtUtc",
                table: "RecommendationEvents");
        }
    }
}
