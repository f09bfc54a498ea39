using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
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
                    Strategy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Impressions = table.Column<long>(type: "bigint", nullable: false),
                    Rewards = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationArms", x => x.Strategy);
                });

            migrationBuilder.CreateTable(
                name: "RecommendationEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StudentId = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ResourceId = table.Column<long>(type: "bigint", nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Strategy = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Position = table.Column<int>(type: "integer", nullable: true),
                    RequestId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    DwellSeconds = table.Column<int>(type: "integer", nullable: true),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecommendationEvents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecommendationSettings",
                columns: table => new
                {
                    Key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Value = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
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
