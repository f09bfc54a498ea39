using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StudyRecs.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class PrecomputedRecommendations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PrecomputedRecommendations",
                columns: table => new
                {
                    StudentId = table.Column<string>(type: "nvarchar(256)", maxLength: 256, nullable: false),
                    Strategy = table.Column<string>(type: "nvarchar(32)", maxLength: 32, nullable: false),
                    StrategyReason = table.Column<string>(type: "nvarchar(512)", maxLength: 512, nullable: false),
                    ModelVersion = table.Column<string>(type: "nvarchar(14)", maxLength: 14, nullable: true),
                    ComputedAtUtc = table.Column<DateTime>(type: "datetime2", nullable: false),
                    ItemsJson = table.Column<string>(type: "nvarchar(max)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PrecomputedRecommendations", x => x.StudentId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PrecomputedRecommendations_ComputedAtUtc",
                table: "PrecomputedRecommendations",
                column: "ComputedAtUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PrecomputedRecommendations");
        }
    }
}
