<?php

namespace App\Entity;

use Doctrine\ORM\Mapping as ORM;
use Symfony\Component\Routing\Annotation\Route;

/**
 * A registered user.
 *
 * @ORM\Entity(repositoryClass="App\Repository\UserRepository")
 * @ORM\Table(name="users")
 */
class User
{
    /**
     * @ORM\Id
     * @ORM\GeneratedValue
     * @ORM\Column(type="integer")
     * @var int|null
     */
    private $id;

    /**
     * @ORM\Column(type="string", length=180, unique=true)
     * @var string
     */
    private $email;

    /**
     * @param string $email
     */
    public function __construct(string $email)
    {
        $this->email = $email;
    }

    /**
     * @return string
     */
    public function getEmail(): string
    {
        return $this->email;
    }
}

/**
 * @Route("/users")
 */
class UserController
{
    /**
     * @Route("/{id}", name="user_show", methods={"GET"})
     * @param int $id
     * @return string
     * @throws \RuntimeException when the user does not exist
     */
    public function show(int $id): string
    {
        # @todo look the user up
        return "user #$id"; // @see UserRepository
    }
}
