using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Recommendations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RecommendationArms",
                columns: table => new
                {
                    Strategy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Impressions = table.Column<long>(type: "INTEGER", nullable: false),
                    Rewards = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationArms", x => x.Strategy);
                });

            migrationBuilder.CreateTable(
                name: "RecommendationEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StudentId = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ResourceId = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Strategy = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Position = table.Column<int>(type: "INTEGER", nullable: true),
                    RequestId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DwellSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    AtUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecommendationSettings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationSettings", x => x.Key);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RecommendationEvents_AtUtc",
                table: "RecommendationEvents",
                column: "AtUtc");

            migrationBuilder.CreateIndex(
                name: "IX_RecommendationEvents_RequestId_ResourceId_Type",
                table: "RecommendationEvents",
                columns: new[] { "RequestId", "ResourceId", "Type" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RecommendationEvents_StudentId_AtUtc",
                table: "RecommendationEvents",
                columns: new[] { "StudentId", "AtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RecommendationArms");

            migrationBuilder.DropTable(
                name: "RecommendationEvents");

            migrationBuilder.DropTable(
                name: "RecommendationSettings");
        }
    }
}
