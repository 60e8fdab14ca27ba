<?php

declare(strict_types=1);

namespace App\Tests\Service;

use App\Entity\User;
use App\Service\UserService;
use PHPUnit\Framework\TestCase;

/**
 * @covers \App\Service\UserService
 * @group users
 */
final class UserServiceTest extends TestCase
{
    /** @var UserService */
    private $service;

    protected function setUp(): void
    {
        $this->service = new UserService();
    }

    /**
     * @test
     */
    public function it_creates_a_user(): User
    {
        $user = $this->service->create('alice@example.com');

        $this->assertSame('alice@example.com', $user->getEmail());

        return $user;
    }

    /**
     * @test it_creates_a_user
     * @depends it_creates_a_user
     * @group slow
     */
    public function it_rejects_a_duplicate_email(User $existing): void
    {
        $this->expectException(\DomainException::class);
        $this->service->create($existing->getEmail()); // @throws \DomainException
    }

    /**
     * @dataProvider emails
     * @param string $email
     * @param bool $valid
     */
    public function testValidatesEmails(string $email, bool $valid): void
    {
        $this->assertSame($valid, $this->service->isValidEmail($email));
    }

    /**
     * @return array<string, array{0: string, 1: bool}>
     */
    public static function emails(): array
    {
        return [
            'plain' => ['jane@example.com', true],
            'no at' => ['jane.example.com', false],
            'tag only' => ['@test', false],
        ];
    }

    // @test methods need no "test" prefix; @depends passes the return value along.
    # @group and @covers are read by PHPUnit's annotation parser.
}
